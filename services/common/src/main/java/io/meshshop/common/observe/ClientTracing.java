package io.meshshop.common.observe;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import io.helidon.common.context.Context;
import io.helidon.common.context.Contexts;
import io.helidon.http.HeaderNames;
import io.helidon.tracing.HeaderConsumer;
import io.helidon.tracing.HeaderProvider;
import io.helidon.tracing.Span;
import io.helidon.tracing.SpanContext;
import io.helidon.tracing.Tracer;
import io.helidon.webclient.api.WebClientServiceRequest;
import io.helidon.webclient.api.WebClientServiceResponse;
import io.helidon.webclient.spi.WebClientService;

/**
 * Client spans for a service's outbound calls: for WebClient in place of Helidon's {@code WebClientTracing}
 * ({@code WebClient.builder()...addService(ClientTracing.create())}), and for any other client through
 * {@link #start(String, URI, BiConsumer)}, so that both make the same spans.
 *
 * <p>Helidon 4.1.2's WebClientTracing has two faults this class does not have, both seen on the wire
 * (system-tests CheckoutTraceTest; upstream issues in docs/helidon-workarounds.md#client-spans):
 * <ul>
 *   <li>it registers each client span in the request's context, where the next client call and every
 *       later database span take their parent from: order's call to payment became a child of its call
 *       to user, and the statements after a call children of that call, instead of siblings under the
 *       server span;</li>
 *   <li>it names spans {@code GET-http://host:port/api/users/<uuid>}: one operation per user in Jaeger.</li>
 * </ul>
 * Here the parent is the span active on the calling thread (the server span of the request being
 * served), else the context's span; the name is the method and the path with ids replaced
 * ({@code GET /api/users/{id}}), as the called service names its server span; nothing is registered.
 */
public final class ClientTracing implements WebClientService {

    /** Path segments that are ids: UUIDs and numbers. SKUs and other words stay. */
    private static final Pattern ID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]+");

    private ClientTracing() {
    }

    public static WebClientService create() {
        return new ClientTracing();
    }

    @Override
    public String type() {
        return "meshshop-client-tracing";
    }

    @Override
    public WebClientServiceResponse handle(Chain chain, WebClientServiceRequest request) {
        Tracer tracer = request.context().get(Tracer.class).orElseGet(Tracer::global);
        Optional<SpanContext> parent = Span.current().map(Span::context).or(() -> request.context().get(SpanContext.class));
        Call call = start(tracer, parent, request.method().text(), request.uri().host(), request.uri().port(),
                request.uri().path().path(), (name, values) -> request.headers().set(HeaderNames.create(name), values));
        try {
            WebClientServiceResponse response = chain.proceed(request);
            call.answered(response.status().code());
            return response;
        } catch (RuntimeException | Error e) {
            call.failed(e);
            throw e;
        }
    }

    /**
     * A client span for a call made with another client than WebClient (order's {@code java.net.http} clients),
     * with the same name, attributes and W3C {@code traceparent} as a WebClient call gets. The tracer and the
     * parent come from the calling thread: the span active on it (the server span of the request being served),
     * else the span the current Helidon context names, else none (a new trace). {@code header} receives the
     * headers to send; the caller ends the span with {@link Call#answered} or {@link Call#failed}.
     */
    public static Call start(String method, URI uri, BiConsumer<String, List<String>> header) {
        Optional<Context> context = Contexts.context();
        Tracer tracer = context.flatMap(c -> c.get(Tracer.class)).orElseGet(Tracer::global);
        Optional<SpanContext> parent = Span.current().map(Span::context)
                .or(() -> context.flatMap(c -> c.get(SpanContext.class)));
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return start(tracer, parent, method, uri.getHost(), port, path, header);
    }

    /** The span of one call, a child of {@code parent} if there is one; the headers to send go to {@code header}. */
    private static Call start(Tracer tracer, Optional<SpanContext> parent, String method, String host, int port,
                              String path, BiConsumer<String, List<String>> header) {
        if (!tracer.enabled()) {
            return Call.NONE;
        }
        String template = template(path);
        // OpenTelemetry's stable HTTP client conventions: the span is named "{method} {url.template}".
        Span.Builder<?> builder = tracer.spanBuilder(method + " " + template)
                .kind(Span.Kind.CLIENT)
                .tag("component", "meshshop-webclient")
                .tag("http.request.method", method)
                .tag("url.template", template)
                .tag("server.address", host)
                .tag("server.port", port);
        parent.ifPresent(builder::parent);
        Span span = builder.start();
        // The W3C traceparent of the client span (Observability configures W3C propagation only).
        Map<String, List<String>> injected = new HashMap<>();
        tracer.inject(span.context(), HeaderProvider.empty(), HeaderConsumer.create(injected));
        injected.forEach(header);
        return new Call(span);
    }

    /** One call's client span, ended by {@link #answered} or {@link #failed}; does nothing when tracing is off. */
    public static final class Call {

        private static final Call NONE = new Call(null);

        private final Span span;

        private Call(Span span) {
            this.span = span;
        }

        /** The call was answered with {@code status}. */
        public void answered(int status) {
            if (span == null) {
                return;
            }
            span.tag("http.response.status_code", status);
            // For a client every 4xx is a failed call too (OpenTelemetry's HTTP conventions); error.type is
            // the status code then.
            if (status >= 400) {
                span.tag("error.type", String.valueOf(status));
                span.status(Span.Status.ERROR);
            } else {
                span.status(Span.Status.OK);
            }
            span.end();
        }

        /** No answer (refused, timed out, reset): error.type names what went wrong, as the conventions ask. */
        public void failed(Throwable failure) {
            if (span == null) {
                return;
            }
            span.tag("error.type", failure.getClass().getName());
            span.end(failure);
        }
    }

    /** {@code /api/users/0b5f...-...} becomes {@code /api/users/{id}}: low cardinality for span names. */
    static String template(String path) {
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (ID.matcher(segments[i]).matches()) {
                segments[i] = "{id}";
            }
        }
        String template = String.join("/", segments);
        return template.isEmpty() ? "/" : template;
    }
}
