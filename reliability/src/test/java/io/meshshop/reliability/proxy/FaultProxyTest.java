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
import java.util.concurrent.CopyOnWriteArrayList;
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
    /** The Authorization values of every request the upstream received, in order. */
    private final List<List<String>> authorizations = new CopyOnWriteArrayList<>();
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
            authorizations.add(List.copyOf(exchange.getRequestHeaders().getOrDefault("Authorization", List.of())));
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

    /**
     * The customer's token is the caller's credential: every copy the proxy delivers (the first attempt, the
     * mesh's retry, a duplicate) carries it byte for byte, and two Authorization headers stay two (the
     * service must see and refuse them, not a proxy's merge).
     */
    @Test
    void forwardsAuthorizationUntouchedOnEveryAttemptAndCopy() throws Exception {
        String token = "eyJhbGciOiJFUzI1NiIsImtpZCI6InJlbC0xIiwidHlwIjoiYXQrand0In0." + "eyJzdWIiOiJ4In0".repeat(30)
                       + ".MEUCIQD_" + "a-b_c".repeat(16);
        proxy.faults(Fault.resetAfterCommit(1));
        proxy.mesh(ROUTE, null);
        HttpResponse<String> retried = client.send(HttpRequest.newBuilder(URI.create(proxy.url() + "/api/orders"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, retried.statusCode());
        assertEquals(List.of(List.of("Bearer " + token), List.of("Bearer " + token)), authorizations,
                "the first attempt and the mesh's retry both carry the token as sent");

        authorizations.clear();
        proxy.mesh(null, null);
        proxy.faults(Fault.duplicateConcurrently(1));
        HttpResponse<String> twice = client.send(HttpRequest.newBuilder(URI.create(proxy.url() + "/api/orders"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .header("Authorization", "Bearer other")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, twice.statusCode());
        assertEquals(List.of(List.of("Bearer " + token, "Bearer other"), List.of("Bearer " + token, "Bearer other")),
                authorizations, "both copies carry both headers, in order, unmerged");
    }

    @Test
    void holdsTheAnswer() throws Exception {
        proxy.faults(Fault.holdResponses(1, Duration.ofMillis(400)));
        long start = System.nanoTime();
        assertEquals(201, post().statusCode());
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 400);
    }
}
