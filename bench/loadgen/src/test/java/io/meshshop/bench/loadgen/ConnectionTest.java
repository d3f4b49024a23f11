package io.meshshop.bench.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The raw HTTP/1.1 client against a socket server that answers canned bytes, one answer per request. */
class ConnectionTest {

    private ServerSocket server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** Serves one connection: for each request head read, writes the next canned answer. */
    private Target serve(String... answers) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (String answer : answers) {
                    requests.add(readHead(in));
                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (IOException e) {
                // the test closed the server
            }
        });
        return Target.parse("http://127.0.0.1:" + server.getLocalPort());
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            head.append((char) b);
        }
        // Consume a body, so that the next request head starts where it should.
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("Content-Length: (\\d+)").matcher(head);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
        }
        return head.toString();
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void readsContentLengthAndChunkedBodiesOnOneKeptAliveConnection() throws Exception {
        Target target = serve(
                "HTTP/1.1 201 Created\r\nLocation: /api/users/abc\r\nContent-Length: 11\r\n\r\n{\"id\":\"ab\"}",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n");
        try (Connection c = Connection.open(target, 1000, 1000)) {
            Response created = c.exchange(target.post("/api/users", "{}", "key-1"));
            assertEquals(201, created.status());
            assertEquals("abc", created.locationId());
            assertEquals("ab", created.jsonString("id"));
            assertTrue(created.keepAlive());

            Response chunked = c.exchange(target.get("/x"));
            assertEquals("{\"a\":1}", chunked.bodyText());

            assertEquals(204, c.exchange(target.get("/y")).status());
        }
        assertTrue(requests.get(0).startsWith("POST /api/users HTTP/1.1\r\n"));
        assertTrue(requests.get(0).contains("Idempotency-Key: \"key-1\"\r\n"), requests.get(0));
        assertTrue(requests.get(0).contains("Content-Length: 2\r\n"));
        assertTrue(requests.get(1).startsWith("GET /x HTTP/1.1\r\n"));
    }

    /** The connection reads through a 16 KiB buffer of its own: a body longer than it comes partly from the socket. */
    @Test
    void bodiesLongerThanTheReadBufferAndABodyToTheEndAreReadWhole() throws Exception {
        String big = "x".repeat(40_000);
        String chunk = "y".repeat(20_000);
        Target target = serve(
                "HTTP/1.1 200 OK\r\nContent-Length: " + big.length() + "\r\n\r\n" + big,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk
                + "\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.0 200 OK\r\n\r\n" + big);
        try (Connection c = Connection.open(target, 1000, 1000)) {
            assertEquals(big, c.exchange(target.get("/big")).bodyText());
            assertEquals(chunk, c.exchange(target.get("/chunked")).bodyText());
            // What followed the long bodies in the buffer is still the next response, byte for byte.
            assertEquals("ok", c.exchange(target.get("/small")).bodyText());
            // No length: the body runs until the server closes the connection after its last answer.
            Response toEnd = c.exchange(target.get("/to-end"));
            assertEquals(big, toEnd.bodyText());
            assertFalse(toEnd.keepAlive());
        }
    }

    @Test
    void connectionCloseEndsKeepAlive() throws Exception {
        Target target = serve("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        try (Connection c = Connection.open(target, 1000, 1000)) {
            Response r = c.exchange(target.get("/"));
            assertEquals(503, r.status());
            assertFalse(r.keepAlive());
            assertFalse(r.ok());
        }
    }

    @Test
    void aReusedConnectionClosedByTheServerIsResentOnANewOne() throws Exception {
        // First connection: one answer, then the server closes it; the pool must open a second one.
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 2; i++) {
                try (Socket socket = server.accept()) {
                    readHead(socket.getInputStream());
                    socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    return;
                }
            }
        });
        Target target = Target.parse("http://127.0.0.1:" + server.getLocalPort());
        try (ConnectionPool pool = new ConnectionPool(target, 1, 1000, 1000)) {
            assertEquals(200, pool.send(target.get("/")).status());
            Thread.sleep(100);
            assertEquals(200, pool.send(target.get("/")).status());
            assertEquals(2, pool.opened());
        }
    }

    @Test
    void aSignedInRequestCarriesTheCustomersAuthorizationLine() throws Exception {
        Target target = serve(
                "HTTP/1.1 200 OK\r\nContent-Length: 58\r\n\r\n{\"accessToken\":\"tok\",\"tokenType\":\"Bearer\",\"expiresIn\":900}",
                "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        byte[] authorization = "Authorization: Bearer tok\r\n".getBytes(StandardCharsets.ISO_8859_1);
        try (Connection c = Connection.open(target, 1000, 1000)) {
            Response session = c.exchange(target.post("/api/sessions", "{\"email\":\"a\"}", null));
            assertEquals(900, session.jsonLong("expiresIn"));
            assertEquals("tok", session.jsonString("accessToken"));
            assertEquals(-1, session.jsonLong("missing"));
            assertEquals(201, c.exchange(target.post("/api/orders", "{\"items\":[]}", "k", authorization)).status());
            assertEquals(200, c.exchange(target.get("/api/orders/1", authorization)).status());
        }
        assertFalse(requests.get(0).contains("Authorization"), requests.get(0));
        assertTrue(requests.get(1).startsWith("POST /api/orders HTTP/1.1\r\n"));
        assertTrue(requests.get(1).contains("\r\nAuthorization: Bearer tok\r\n"), requests.get(1));
        assertTrue(requests.get(1).contains("Idempotency-Key: \"k\"\r\n"), requests.get(1));
        assertTrue(requests.get(1).endsWith("\r\n\r\n"), "the head ends with one blank line: " + requests.get(1));
        assertTrue(requests.get(2).startsWith("GET /api/orders/1 HTTP/1.1\r\n"));
        assertTrue(requests.get(2).endsWith("Authorization: Bearer tok\r\n\r\n"), requests.get(2));
    }

    @Test
    void targetKeepsAPathPrefix() {
        Target t = Target.parse("http://gateway.example:8080/shop/");
        assertEquals("/shop", t.prefix());
        assertTrue(new String(t.get("/api/products"), StandardCharsets.ISO_8859_1)
                .startsWith("GET /shop/api/products HTTP/1.1\r\nHost: gateway.example:8080\r\n"));
    }
}
