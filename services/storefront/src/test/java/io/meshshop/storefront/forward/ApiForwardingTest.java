package io.meshshop.storefront.forward;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.TestDatabases;
import io.meshshop.storefront.Main;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local forwarding against a stand-in for order (a real server that echoes what it received) and a user
 * service that is not running.
 */
@ServerTest
class ApiForwardingTest {

    private static WebServer order;
    private static int deadPort;
    private final String base;

    ApiForwardingTest(WebServer storefront) {
        this.base = "http://127.0.0.1:" + storefront.port();
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) throws IOException {
        order = WebServer.builder().host("127.0.0.1").port(0)
                .routing(routing -> routing
                        .any("/api/orders", ApiForwardingTest::echo)
                        .any("/api/orders/{+rest}", ApiForwardingTest::echo)
                        .any("/api/products", ApiForwardingTest::echo))
                .build().start();
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        Main.setupServer(server, TestDatabases.serviceConfig(Map.of(
                "forward.enabled", "true",
                "forward.order.url", "http://127.0.0.1:" + order.port(),
                "forward.user.url", "http://127.0.0.1:" + deadPort)), new GracefulShutdown());
    }

    @AfterAll
    static void stopOrder() {
        order.stop();
    }

    /**
     * Answers what it received (method, path, query, headers, body) with status 201 or, for
     * {@code ?problem}, a 422 problem document; adds a Location, a custom header and two hop-by-hop ones.
     */
    private static void echo(io.helidon.webserver.http.ServerRequest req, io.helidon.webserver.http.ServerResponse res) {
        JsonObjectBuilder headers = Json.createObjectBuilder();
        for (Header header : req.headers()) {
            headers.add(header.name().toLowerCase(Locale.ROOT), header.values());
        }
        String body = req.content().hasEntity() ? req.content().as(String.class) : "";
        JsonObject received = Json.createObjectBuilder()
                .add("method", req.prologue().method().text())
                .add("path", req.path().rawPath())
                .add("query", req.query().rawValue())
                .add("headers", headers)
                .add("body", body)
                .build();
        res.header(HeaderNames.LOCATION, "/api/orders/42");
        res.header("Idempotent-Replayed", "true");
        res.header("Keep-Alive", "timeout=5");
        res.header("Proxy-Authenticate", "Basic realm=\"order\"");
        if (req.query().contains("problem")) {
            res.status(Status.create(422));
            res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
            res.send("{\"type\":\"https://meshshop.dev/problems/unknown-product\",\"title\":\"Product does not exist\","
                     + "\"status\":422,\"errors\":[{\"field\":\"items[0].sku\",\"message\":\"no such product\"}]}");
            return;
        }
        res.status(Status.CREATED_201);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(received.toString());
    }

    @Test
    void aWriteGoesThroughWithItsHeadersAndBodyAndTheAnswerComesBackWhole() {
        String json = "{\"items\":[{\"sku\":\"MESH-MUG\",\"quantity\":2}]}";
        Answer answer = Answer.of(HttpCalls.send("POST", base + "/api/orders?x=1&y=%C3%A9", json,
                "Authorization", "Bearer abc.def.ghi", "Idempotency-Key", "\"checkout-1\"", "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        assertEquals(201, answer.status(), "the service's status");
        JsonObject received = answer.json();
        assertEquals("POST", received.getString("method"), "method");
        assertEquals("/api/orders", received.getString("path"), "path");
        assertEquals("x=1&y=%C3%A9", received.getString("query"), "query, still encoded");
        assertEquals(json, received.getString("body"), "body");
        JsonObject headers = received.getJsonObject("headers");
        assertEquals("Bearer abc.def.ghi", headers.getString("authorization"), "Authorization");
        assertEquals("\"checkout-1\"", headers.getString("idempotency-key"), "Idempotency-Key");
        assertEquals("application/json", headers.getString("content-type"), "Content-Type");
        assertTrue(headers.containsKey("traceparent"), "trace context goes on: " + headers);
        assertEquals("/api/orders/42", answer.header("Location"), "Location comes back");
        assertEquals("true", answer.header("Idempotent-Replayed"), "the service's own headers come back");
        assertEquals(null, answer.header("Keep-Alive"), "hop-by-hop Keep-Alive is not forwarded back");
        assertEquals(null, answer.header("Proxy-Authenticate"), "hop-by-hop Proxy-Authenticate is not forwarded back");
        assertEquals("nosniff", answer.header("X-Content-Type-Options"), "the storefront's own headers are added");
    }

    @Test
    void problemDocumentsComeBackUnchanged() {
        Answer answer = Answer.of(HttpCalls.send("GET", base + "/api/orders/7?problem", null));
        assertEquals(422, answer.status(), "status");
        assertEquals("application/problem+json", answer.contentType(), "problem media type");
        assertEquals("{\"type\":\"https://meshshop.dev/problems/unknown-product\",\"title\":\"Product does not exist\","
                     + "\"status\":422,\"errors\":[{\"field\":\"items[0].sku\",\"message\":\"no such product\"}]}",
                answer.raw().body(), "the body byte for byte");
    }

    @Test
    void hopByHopRequestHeadersStayOnTheirHop() throws IOException {
        List<String> lines = raw("GET /api/products HTTP/1.1\r\nHost: shop.example\r\n"
                                 + "Connection: close, X-Private-Hop\r\nX-Private-Hop: secret\r\nKeep-Alive: timeout=9\r\n"
                                 + "Proxy-Authorization: Basic eDp5\r\nTE: trailers\r\nUpgrade: websocket\r\n"
                                 + "X-Kept: yes\r\n\r\n");
        assertEquals("HTTP/1.1 201 Created", lines.getFirst(), "status line");
        JsonObject headers = Json.createReader(new java.io.StringReader(lines.getLast())).readObject().getJsonObject("headers");
        for (String hop : List.of("x-private-hop", "keep-alive", "proxy-authorization", "te", "upgrade")) {
            assertFalse(headers.containsKey(hop), hop + " must not be forwarded: " + headers);
        }
        assertEquals("yes", headers.getString("x-kept"), "end-to-end headers are: " + headers);
        assertFalse(headers.getString("host").contains("shop.example"), "Host names the service: " + headers);
    }

    @Test
    void aServiceThatIsDownIsA503ProblemWithRetryAfter() {
        Answer answer = Answer.of(HttpCalls.send("POST", base + "/api/sessions", "{\"email\":\"a@b.c\",\"password\":\"x\"}"));
        assertEquals(503, answer.status(), "user is not running");
        assertEquals("application/problem+json", answer.contentType(), "a problem document");
        assertEquals("dependency-unavailable", answer.problemType(), "problem type");
        assertEquals("2", answer.header("Retry-After"), "Retry-After");
        assertEquals("nosniff", answer.header("X-Content-Type-Options"), "security headers on the 503 too");
        assertEquals(503, HttpCalls.send("GET", base + "/.well-known/jwks.json", null).statusCode(), "JWKS is user's");
        assertEquals(503, HttpCalls.send("GET", base + "/api/users/me", null).statusCode(), "users are user's");
    }

    @Test
    void otherApiPathsAreNotForwarded() {
        Answer answer = Answer.of(HttpCalls.send("GET", base + "/api/payments", null));
        assertEquals(404, answer.status(), "payment is internal: never reachable through the storefront");
        assertEquals("application/problem+json", answer.contentType(), "a problem document");
    }

    /**
     * One request over a plain socket (the JDK client refuses to send Connection, Upgrade and the like): the
     * status line, the header lines and, last, the body.
     */
    private List<String> raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            // Nothing more to send: the server answers and then closes, so the answer ends where the stream does.
            socket.shutdownOutput();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            List<String> lines = new ArrayList<>(List.of(answer.substring(0, end).split("\r\n")));
            lines.add(answer.substring(end + 4));
            return lines;
        }
    }
}
