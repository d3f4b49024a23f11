package io.meshshop.bench.loadgen;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The open model against a real HTTP server on loopback: bounded, about two seconds in all. */
class OpenLoopTest {

    private static HttpServer server(int handlerMillis, AtomicInteger served) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                if (handlerMillis > 0) {
                    Thread.sleep(handlerMillis);
                }
                served.incrementAndGet();
                byte[] body = "{}".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        return server;
    }

    /** One open-model step of GETs at {@code rate} against a server taking {@code handlerMillis} per request. */
    private static OpenLoop.Step runAgainst(int handlerMillis, AtomicInteger served, int connections, double rate,
                                            Duration duration) throws Exception {
        HttpServer server = server(handlerMillis, served);
        try (Endpoints endpoints = new Endpoints("http://127.0.0.1:" + server.getAddress().getPort(), connections,
                1000, 5000);
             GetScenario scenario = new GetScenario(endpoints, "/")) {
            return OpenLoop.run(scenario, rate, duration, new OpenLoop.Limits(1000, Duration.ofSeconds(5)), new Watch(null));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void sendsTheScheduledNumberOfRequestsAtTheRate() throws Exception {
        AtomicInteger served = new AtomicInteger();
        OpenLoop.Step step = runAgainst(0, served, 16, 200, Duration.ofMillis(500));
        assertEquals(100, step.result().ok());
        assertEquals(100, served.get());
        assertEquals(0, step.result().errors());
        JsonObject json = step.json().build();
        assertEquals(100, json.getJsonObject("statuses").getInt("200"));
    }

    /**
     * One connection to a server that needs 20 ms per request can serve 50/s; offered 100/s for 0.6 s, the
     * later requests wait behind the earlier ones. Measured from their intended start, the tail shows that
     * wait (about 0.6 s for the last one); a closed loop would report about 20 ms for every request.
     */
    @Test
    void latencyIncludesTheQueueingOfAnOverloadedServer() throws Exception {
        OpenLoop.Step step = runAgainst(20, new AtomicInteger(), 1, 100, Duration.ofMillis(600));
        assertEquals(60, step.result().ok());
        assertTrue(step.result().p99Millis() > 400, "p99 " + step.result().p99Millis() + " ms hides the queueing");
    }
}
