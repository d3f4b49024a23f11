package io.meshshop.bench.ceiling;

import java.nio.charset.StandardCharsets;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Header;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;

/**
 * The benchmark's ceiling: the least a Helidon 4 SE server can do per request on this machine. One route
 * answers a fixed JSON body about the size of a user, so that the real services' figures can be read as a
 * fraction of it. No config file, tracing, metrics, access log or database: everything the services add on
 * top is what the benchmark measures.
 *
 * <p>{@code /observe/health/ready} answers 200 as soon as the server listens, so that the start-up timer
 * polls the ceiling exactly as it polls the services.
 */
public final class Main {

    /** The same shape and size as a user document (about 150 bytes), built once. */
    static final byte[] BODY = ("{\"id\":\"3f1c0c5e-0000-4000-8000-000000000001\",\"name\":\"Ada Lovelace\","
            + "\"email\":\"ada@example.com\",\"createdAt\":\"2025-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
    static final byte[] READY = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
    private static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        int port = Integer.parseInt(System.getenv().getOrDefault("SERVER_PORT", "8090"));
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                // Only what is written here runs: no feature found on the class path is added.
                .featuresDiscoverServices(false)
                .routing(routing -> routing
                        .get("/api/ceiling", (req, res) -> res.header(JSON).send(BODY))
                        .get("/observe/health/ready", (req, res) -> res.header(JSON).send(READY)))
                .build()
                .start();
        System.out.println("ceiling ready on http://127.0.0.1:" + server.port() + "/api/ceiling");
    }
}
