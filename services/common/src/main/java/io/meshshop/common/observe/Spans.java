package io.meshshop.common.observe;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.helidon.common.context.Context;
import io.helidon.common.context.Contexts;
import io.helidon.tracing.Scope;
import io.helidon.tracing.Span;
import io.helidon.tracing.Tracer;

/**
 * Puts business outcomes on the span of the request being served, so that Jaeger shows why a checkout
 * ended as it did ({@code Spans.tag("order.id", id)}, {@code Spans.tag("payment.status", "declined")}).
 *
 * <p>Every method is safe to call anywhere: with tracing off (no exporter configured) or outside a
 * request there is no recording span and nothing happens. Spans leave the process and are kept by a
 * tracing backend that is not meant for personal data, so keys that name personal data (e-mail, name,
 * card, ...) are refused: the tag is dropped and a warning logged, never an exception in a request.
 */
public final class Spans {

    private static final System.Logger LOG = System.getLogger(Spans.class.getName());

    /** Lower-case dotted keys as OpenTelemetry's conventions write them: {@code order.id}, {@code payment.status}. */
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

    /** Words in a key that mean the value is about a person, not about the business outcome. */
    private static final Set<String> PERSONAL = Set.of("email", "mail", "name", "phone", "address", "card", "pan",
            "iban", "password", "secret", "token");

    private static final int MAX_CHECKED = 256;
    private static final Map<String, Boolean> CHECKED = new ConcurrentHashMap<>();

    private Spans() {
    }

    // The recording span is looked up first: at the shipped sampling rate most requests have none, and the
    // check of the key is then skipped.
    public static void tag(String key, String value) {
        if (value != null) {
            current().filter(span -> allowed(key)).ifPresent(span -> span.tag(key, value));
        }
    }

    public static void tag(String key, long value) {
        current().filter(span -> allowed(key)).ifPresent(span -> span.tag(key, value));
    }

    public static void tag(String key, boolean value) {
        current().filter(span -> allowed(key)).ifPresent(span -> span.tag(key, value));
    }

    /**
     * Runs one unit of background work (a recovery attempt for one order) as a trace of its own: an INTERNAL
     * root span {@code name}, tagged {@code meshshop.task = task} and {@code tags} (same rules as {@link #tag}),
     * around {@code work}. Inside, the span is current, so outbound calls ({@link ClientTracing}) and database
     * statements (Helidon's DbClient tracing, which takes its parent from the Helidon context) are its children:
     * one trace per unit, not a root trace per statement or call ({@link TraceRoots} drops those).
     * With tracing off, just runs {@code work}.
     */
    public static <T> T inNewTrace(String task, String name, Map<String, String> tags, Supplier<T> work) {
        Tracer tracer = Observability.madeTracer();
        if (!tracer.enabled()) {
            return work.get();
        }
        Span.Builder<?> builder = tracer.spanBuilder(name)
                .kind(Span.Kind.INTERNAL)
                .tag(TraceRoots.TASK.getKey(), task);
        tags.forEach((key, value) -> {
            if (value != null && allowed(key)) {
                builder.tag(key, value);
            }
        });
        // Helidon starts a span without a parent as a root, whatever was current: a new trace.
        Span span = builder.start();
        Context context = Context.create(Contexts.context().orElseGet(Contexts::globalContext));
        context.register(span.context());
        context.register(tracer);
        try (Scope ignored = span.activate()) {
            T result = Contexts.runInContext(context, work::get);
            span.end();
            return result;
        } catch (RuntimeException | Error e) {
            span.end(e);
            throw e;
        }
    }

    /**
     * Renames the current span. Names must stay low-cardinality (a route template, never an id): Jaeger
     * lists operations by name.
     */
    static void rename(String name) {
        current().ifPresent(span -> {
            io.opentelemetry.api.trace.Span otel = unwrapOtel(span);
            if (otel != null) {
                otel.updateName(name);
            }
        });
    }

    /**
     * True when a tag with this key may leave the process. Keys are constants in the code, so each answer is
     * remembered (up to a bound, in case a caller builds keys from data).
     */
    static boolean allowed(String key) {
        if (key == null) {
            return check(null);
        }
        Boolean known = CHECKED.get(key);
        if (known != null) {
            return known;
        }
        boolean answer = check(key);
        if (CHECKED.size() < MAX_CHECKED) {
            CHECKED.put(key, answer);
        }
        return answer;
    }

    private static boolean check(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            LOG.log(System.Logger.Level.WARNING, "Span tag key not in the form a.b_c, dropped: " + key);
            return false;
        }
        for (String word : key.toLowerCase(Locale.ROOT).split("[._]")) {
            if (PERSONAL.contains(word)) {
                LOG.log(System.Logger.Level.WARNING, "Span tag " + key + " would carry personal data, dropped");
                return false;
            }
        }
        return true;
    }

    /** The span of the request being served, if one is recording (a no-op tracer never records). */
    private static Optional<Span> current() {
        return Span.current().filter(span -> {
            io.opentelemetry.api.trace.Span otel = unwrapOtel(span);
            return otel == null || otel.isRecording();
        });
    }

    private static io.opentelemetry.api.trace.Span unwrapOtel(Span span) {
        try {
            return span.unwrap(io.opentelemetry.api.trace.Span.class);
        } catch (IllegalArgumentException notOtel) {
            // Another tracing provider: only Helidon's API is available.
            return null;
        }
    }
}
