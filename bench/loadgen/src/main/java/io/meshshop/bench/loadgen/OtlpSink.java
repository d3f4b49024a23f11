package io.meshshop.bench.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * A real OTLP/HTTP endpoint that accepts trace exports and throws them away. The services' tracing is
 * measured as shipped, exporting over the network to something that answers: an exporter whose endpoint is
 * missing or closed costs differently (connection errors, retries, dropped batches).
 *
 * <p>{@code POST /v1/traces} with {@code application/x-protobuf} is answered 200 with an empty body (an
 * empty ExportTraceServiceResponse: everything accepted). Counts go to a JSON file once a second.
 */
final class OtlpSink {

    private OtlpSink() {
    }

    static void serve(int port, Path statsFile, Duration maxTime) throws Exception {
        AtomicLong requests = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                long n = body.transferTo(java.io.OutputStream.nullOutputStream());
                boolean traces = "POST".equals(exchange.getRequestMethod())
                                 && exchange.getRequestURI().getPath().equals("/v1/traces");
                if (traces) {
                    requests.incrementAndGet();
                    bytes.addAndGet(n);
                    exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
        // Written at once, so that whoever started the sink can tell that it is listening.
        writeStats(statsFile, 0, 0);
        System.out.println("OTLP sink on http://127.0.0.1:" + port + "/v1/traces for at most " + maxTime);
        long deadline = System.nanoTime() + maxTime.toNanos();
        // Bounded: the sink stops by itself even if the harness that started it died.
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            writeStats(statsFile, requests.get(), bytes.get());
        }
        server.stop(0);
    }

    private static void writeStats(Path file, long requests, long bytes) throws IOException {
        if (file == null) {
            return;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, "{\"exportRequests\":" + requests + ",\"exportBytes\":" + bytes + "}\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
