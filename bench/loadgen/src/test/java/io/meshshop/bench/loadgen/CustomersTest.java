package io.meshshop.bench.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Customers against a small stand-in for the user service whose tokens live one second: they are registered
 * and signed in, and the renewer signs each in again before its token expires.
 */
class CustomersTest {

    private HttpServer server;
    private final AtomicInteger tokens = new AtomicInteger();
    private final AtomicInteger registrations = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/api/users", exchange -> {
            String body = read(exchange);
            registrations.incrementAndGet();
            boolean valid = body.contains("\"password\":\"") && exchange.getRequestHeaders().containsKey("Idempotency-Key");
            answer(exchange, valid ? 201 : 400, "{\"id\":\"" + UUID.randomUUID() + "\"}");
        });
        server.createContext("/api/sessions", exchange -> {
            String body = read(exchange);
            boolean valid = body.contains("\"email\":\"lg-") && body.contains("\"password\":\"lg-");
            answer(exchange, valid ? 200 : 401, "{\"accessToken\":\"token-" + tokens.incrementAndGet()
                                                + "\",\"tokenType\":\"Bearer\",\"expiresIn\":1}");
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String read(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void registersSignsInAndRenewsEveryTokenBeforeItExpires() throws Exception {
        try (Endpoints users = new Endpoints("http://127.0.0.1:" + server.getAddress().getPort(), 4, 1000, 2000);
             Customers customers = Customers.create(users, 3, "test")) {
            assertEquals(3, registrations.get());
            List<Customers.Customer> all = customers.all();
            Map<String, String> first = new HashMap<>();
            for (Customers.Customer customer : all) {
                assertTrue(new String(customer.authorization(), StandardCharsets.ISO_8859_1)
                        .matches("Authorization: Bearer token-\\d+\r\n"), customer.toString());
                first.put(customer.id(), customer.token());
            }
            customers.renewing();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && all.stream().anyMatch(c -> c.token().equals(first.get(c.id())))) {
                Thread.sleep(50);
            }
            for (Customers.Customer customer : all) {
                assertNotEquals(first.get(customer.id()), customer.token(), customer + " was not signed in again");
            }
            assertTrue(customers.describe().getJsonNumber("tokensRenewed").longValue() >= 3, customers.describe().toString());
            assertEquals(0, customers.describe().getJsonNumber("renewalFailures").longValue());
        }
    }
}
