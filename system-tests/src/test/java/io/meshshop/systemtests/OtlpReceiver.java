package io.meshshop.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real OTLP/HTTP trace receiver, as a collector or Jaeger's OTLP port is: {@code POST /v1/traces} with an
 * {@code application/x-protobuf} ExportTraceServiceRequest, answered with an empty ExportTraceServiceResponse.
 * It listens on 127.0.0.1 on a free port and keeps every span it decoded. Bodies that do not decode are
 * answered 400 and remembered, so a broken export fails the test instead of going unnoticed.
 */
final class OtlpReceiver implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    /** Every export request as protobuf text: events, links and status messages too, not only what ReceivedSpan keeps. */
    private final List<String> exports = new CopyOnWriteArrayList<>();

    private OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/v1/traces", this::traces);
        server.setExecutor(executor);
        server.start();
    }

    static OtlpReceiver start() {
        try {
            return new OtlpReceiver();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the OTLP receiver", e);
        }
    }

    /** The value for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** Everything received, as protobuf text (strings as sent, non-ASCII escaped). */
    List<String> exports() {
        return List.copyOf(exports);
    }

    List<ReceivedSpan> trace(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    /** Waits until the spans of one trace satisfy {@code complete}; fails with what did arrive otherwise. */
    List<ReceivedSpan> awaitTrace(String traceId, Predicate<List<ReceivedSpan>> complete, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            assertNoProblems();
            List<ReceivedSpan> trace = trace(traceId);
            if (complete.test(trace)) {
                return trace;
            }
            Processes.sleep(100);
        }
        assertNoProblems();
        return fail("The spans of trace " + traceId + " did not all arrive within " + timeout.toSeconds()
                + " s. Received for it:\n" + TraceTree.render(trace(traceId)) + "\nAll received spans: " + spans);
    }

    void assertNoProblems() {
        if (!problems.isEmpty()) {
            fail("The OTLP receiver got requests it could not accept: " + problems);
        }
    }

    private void traces(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                problems.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
            if (!contentType.startsWith("application/x-protobuf")) {
                problems.add("Content-Type " + contentType + " (expected application/x-protobuf: OTLP/HTTP protobuf)");
                exchange.sendResponseHeaders(415, -1);
                return;
            }
            byte[] body;
            try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            ExportTraceServiceRequest request;
            try {
                request = ExportTraceServiceRequest.parseFrom(body);
            } catch (IOException e) {
                problems.add("undecodable body of " + body.length + " bytes: " + e.getMessage());
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            spans.addAll(decode(request));
            exports.add(request.toString());
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    static List<ReceivedSpan> decode(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        List<ReceivedSpan> decoded = new ArrayList<>();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            Map<String, String> resource = attributes(resourceSpans.getResource());
            String service = resource.getOrDefault("service.name", "?");
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    decoded.add(new ReceivedSpan(service, resource, scopeSpans.getScope().getName(),
                            hex.formatHex(span.getTraceId().toByteArray()),
                            hex.formatHex(span.getSpanId().toByteArray()),
                            hex.formatHex(span.getParentSpanId().toByteArray()),
                            span.getName(),
                            span.getKind().name().replace("SPAN_KIND_", ""),
                            attributes(span.getAttributesList()),
                            span.getStatus().getCode().name().replace("STATUS_CODE_", ""),
                            span.getStartTimeUnixNano()));
                }
            }
        }
        return decoded;
    }

    private static Map<String, String> attributes(Resource resource) {
        return attributes(resource.getAttributesList());
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> map = new LinkedHashMap<>();
        for (KeyValue kv : list) {
            map.put(kv.getKey(), text(kv.getValue()));
        }
        return map;
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> String.valueOf(value.getBoolValue());
            case INT_VALUE -> String.valueOf(value.getIntValue());
            case DOUBLE_VALUE -> String.valueOf(value.getDoubleValue());
            default -> value.toString().strip();
        };
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
