package io.meshshop.common.observe;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * One JSON object per line for java.util.logging, so a log store (Loki, Elasticsearch) reads fields instead of
 * parsing text, and a line leads to its trace:
 * <pre>
 * {"timestamp":"2025-01-01T12:00:00.123Z","level":"WARNING","logger":"io.meshshop.order.clients.UserClient",
 *  "thread":"[0x2a] WebServer socket","message":"user service unavailable: ...",
 *  "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","exception":"java.net..."}
 * </pre>
 * {@code trace_id} and {@code span_id} are those of the span current on the logging thread (the request being
 * served, a recovery attempt), the W3C ids Jaeger and Envoy's access log show; they are left out when no trace
 * is current. They are there even when this service exports no spans, as long as a request came with a
 * {@code traceparent}: the sidecars' spans of that trace are in Jaeger. Names follow OpenTelemetry's log data
 * model; {@code trace_id} is also the exemplar label Grafana links on.
 *
 * <p>Set in each service's {@code logging.properties}:
 * {@code io.helidon.logging.jul.HelidonConsoleHandler.formatter=io.meshshop.common.observe.JsonFormatter}.
 */
public final class JsonFormatter extends Formatter {

    private static final JsonGeneratorFactory GENERATORS = JsonProvider.provider().createGeneratorFactory(Map.of());

    @Override
    public String format(LogRecord record) {
        StringWriter line = new StringWriter(256);
        try (JsonGenerator json = GENERATORS.createGenerator(line)) {
            json.writeStartObject()
                    .write("timestamp", record.getInstant().toString())
                    .write("level", record.getLevel().getName())
                    .write("logger", String.valueOf(record.getLoggerName()))
                    .write("thread", Thread.currentThread().getName())
                    .write("message", String.valueOf(formatMessage(record)));
            SpanContext span = Span.current().getSpanContext();
            if (span.isValid()) {
                json.write("trace_id", span.getTraceId()).write("span_id", span.getSpanId());
            }
            if (record.getThrown() != null) {
                StringWriter stack = new StringWriter();
                try (PrintWriter out = new PrintWriter(stack)) {
                    record.getThrown().printStackTrace(out);
                }
                json.write("exception", stack.toString());
            }
            json.writeEnd();
        }
        return line.append(System.lineSeparator()).toString();
    }
}
