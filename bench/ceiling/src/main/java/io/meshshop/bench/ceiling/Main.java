package io.meshshop.bench.ceiling;

import java.nio.charset.StandardCharsets;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;

/**
 * The benchmark's ceiling: the least a Helidon 4 SE server can do per request on this machine. One route
 * answers a fixed JSON body about the size of a user, so that the real services' figures can be read as a
 * fraction of it. No config file, tracing, metrics, access log or database: everything the services add on
 * top is what the benchmark measures.
 *
 * <p>With {@code DB_URL} set (and {@code DB_USER}, {@code DB_PASSWORD}, as the services read them), a second
 * route, {@code GET /api/users/{id}}, reads one row of user's {@code users} table ({@link UserRow}): the database
 * ceiling. Without it the server is exactly the fixed-body ceiling.
 *
 * <p>{@code /observe/health/ready} answers 200 as soon as the server listens (with a database: once a
 * connection can be had), so that the start-up timer polls the ceiling exactly as it polls the services.
 */
public final class Main {

    /** The same shape and size as a user document (about 150 bytes), built once. */
    static final byte[] BODY = ("{\"id\":\"3f1c0c5e-0000-4000-8000-000000000001\",\"name\":\"Ada Lovelace\","
            + "\"email\":\"ada@example.com\",\"createdAt\":\"2025-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
    static final byte[] READY = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
    static final byte[] DOWN = "{\"status\":\"DOWN\"}".getBytes(StandardCharsets.UTF_8);
    static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        int port = Integer.parseInt(System.getenv().getOrDefault("SERVER_PORT", "8090"));
        String dbUrl = System.getenv("DB_URL");
        UserRow users = dbUrl == null || dbUrl.isBlank() ? null
                : UserRow.open(dbUrl, System.getenv().getOrDefault("DB_USER", ""),
                        System.getenv().getOrDefault("DB_PASSWORD", ""));
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                // Only what is written here runs: no feature found on the class path is added.
                .featuresDiscoverServices(false)
                .routing(routing -> {
                    routing.get("/api/ceiling", (req, res) -> res.header(JSON).send(BODY));
                    if (users == null) {
                        routing.get("/observe/health/ready", (req, res) -> res.header(JSON).send(READY));
                    } else {
                        routing.get("/api/users/{id}", users::handle);
                        routing.get("/observe/health/ready", (req, res) -> {
                            if (users.ready()) {
                                res.header(JSON).send(READY);
                            } else {
                                res.status(Status.SERVICE_UNAVAILABLE_503).header(JSON).send(DOWN);
                            }
                        });
                    }
                })
                .build()
                .start();
        System.out.println("ceiling ready on http://127.0.0.1:" + server.port() + "/api/ceiling"
                           + (users == null ? "" : " and /api/users/{id} (database ceiling)"));
    }
}
