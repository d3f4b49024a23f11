package io.meshshop.common.observe;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import io.meshshop.common.json.JsonFactories;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;

class JsonFormatterTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    private final JsonFormatter formatter = new JsonFormatter();

    @Test
    void aLineInsideASpanCarriesItsTraceAndSpanId() {
        LogRecord record = new LogRecord(Level.WARNING, "payment call {0} has no answer");
        record.setLoggerName("io.meshshop.order.clients.PaymentClient");
        record.setParameters(new Object[] {"order-1-charge"});
        record.setThrown(new IllegalStateException("read timed out"));
        SpanContext context = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
        String line;
        try (Scope ignored = Span.wrap(context).makeCurrent()) {
            line = formatter.format(record);
        }
        assertThat("one line per record", line.strip().contains("\n"), is(false));
        assertThat("ends the line", line, endsWith(System.lineSeparator()));
        JsonObject json = JsonFactories.readObject(line);
        assertThat("trace_id", json.getString("trace_id"), is(TRACE));
        assertThat("span_id", json.getString("span_id"), is(SPAN));
        assertThat("level", json.getString("level"), is("WARNING"));
        assertThat("logger", json.getString("logger"), is("io.meshshop.order.clients.PaymentClient"));
        assertThat("the message with its parameters", json.getString("message"),
                is("payment call order-1-charge has no answer"));
        assertThat("the stack trace", json.getString("exception"),
                containsString("java.lang.IllegalStateException: read timed out"));
        assertThat("timestamp in ISO-8601 UTC", json.getString("timestamp"), endsWith("Z"));
    }

    @Test
    void aLineOutsideAnySpanHasNoTraceFields() {
        JsonObject json = JsonFactories.readObject(formatter.format(new LogRecord(Level.INFO, "ready \"quoted\"")));
        assertThat("no trace_id", json.containsKey("trace_id"), is(false));
        assertThat("no span_id", json.containsKey("span_id"), is(false));
        assertThat("quotes escaped and read back", json.getString("message"), is("ready \"quoted\""));
    }
}
