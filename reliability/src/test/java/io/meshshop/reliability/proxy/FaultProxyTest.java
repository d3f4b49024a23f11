package io.meshshop.reliability.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The faults and the Envoy imitation, against a counting upstream. */
class FaultProxyTest {

    /** Like payment's charges-and-refunds route: one retry on gateway-error, 300 ms per try, 1 s in all. */
    private static final MeshSettings.RouteTable ROUTE = new MeshSettings.RouteTable(List.of(new MeshSettings.Matcher(
            List.of(), new MeshSettings.Route("test route", Duration.ofSeconds(1), 1, Duration.ofMillis(300),
                    Set.of("connect-failure", "refused-stream", "gateway-error")))));

    private final AtomicInteger received = new AtomicInteger();
    private volatile long upstreamDelayMillis;
    private HttpServer upstream;
    private FaultProxy proxy;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            received.incrementAndGet();
            try {
                Thread.sleep(upstreamDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = ("{\"n\":" + received.get() + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        proxy = FaultProxy.start("test", upstream.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.stop(0);
    }

    private HttpResponse<String> post() throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(proxy.url() + "/api/payments"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void passesThrough() throws Exception {
        HttpResponse<String> response = post();
        assertEquals(201, response.statusCode());
        assertEquals("{\"n\":1}", response.body());
        assertEquals(1, received.get());
    }

    @Test
    void deliversEveryWriteTwiceAndAnswersTheSecond() throws Exception {
        proxy.faults(Fault.duplicateEveryWrite());
        assertEquals("{\"n\":2}", post().body());
        assertEquals(2, received.get());
    }

    @Test
    void resetAfterCommitReachesTheCallerOnTheBareNetwork() {
        proxy.faults(Fault.resetAfterCommit(1));
        assertThrows(IOException.class, this::post);
        assertEquals(1, received.get(), "the upstream committed the request");
    }

    @Test
    void resetAfterCommitIsRetriedLikeEnvoyWithGatewayError() throws Exception {
        proxy.faults(Fault.resetAfterCommit(1));
        proxy.mesh(ROUTE, null);
        HttpResponse<String> response = post();
        assertEquals(201, response.statusCode());
        assertEquals(2, received.get(), "the retry delivered the request again");
        assertEquals(1, proxy.counters().retries.get());
    }

    @Test
    void perTryTimeoutRetriesThenAnswers504() throws Exception {
        upstreamDelayMillis = 700;
        proxy.mesh(ROUTE, null);
        long start = System.nanoTime();
        HttpResponse<String> response = post();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, response.statusCode());
        assertEquals("upstream request timeout", response.body());
        assertEquals(2, proxy.counters().perTryTimeouts.get());
        assertTrue(millis >= 600 && millis < 1500, "two tries of 300 ms: " + millis + " ms");
    }

    @Test
    void refusedConnectionIsRetriedThen503() throws Exception {
        upstream.stop(0);
        proxy.mesh(ROUTE, null);
        HttpResponse<String> response = post();
        assertEquals(503, response.statusCode());
        assertEquals(1, proxy.counters().retries.get());
        assertTrue(response.body().contains("connection failure"), response.body());
    }

    @Test
    void holdsTheAnswer() throws Exception {
        proxy.faults(Fault.holdResponses(1, Duration.ofMillis(400)));
        long start = System.nanoTime();
        assertEquals(201, post().statusCode());
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 400);
    }
}
