package io.meshshop.common.observe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

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
 * Client spans for a service's outbound WebClient calls, in place of Helidon's {@code WebClientTracing}:
 * {@code WebClient.builder()...addService(ClientTracing.create())}.
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
        if (!tracer.enabled()) {
            return chain.proceed(request);
        }
        String method = request.method().text();
        String template = template(request.uri().path().path());
        // OpenTelemetry's stable HTTP client conventions: the span is named "{method} {url.template}".
        Span.Builder<?> builder = tracer.spanBuilder(method + " " + template)
                .kind(Span.Kind.CLIENT)
                .tag("component", "meshshop-webclient")
                .tag("http.request.method", method)
                .tag("url.template", template)
                .tag("server.address", request.uri().host())
                .tag("server.port", request.uri().port());
        parent(request).ifPresent(builder::parent);
        Span span = builder.start();
        try {
            // The W3C traceparent of the client span (Observability configures W3C propagation only).
            Map<String, List<String>> injected = new HashMap<>();
            tracer.inject(span.context(), HeaderProvider.empty(), HeaderConsumer.create(injected));
            injected.forEach((name, values) -> request.headers().set(HeaderNames.create(name), values));
            WebClientServiceResponse response = chain.proceed(request);
            int status = response.status().code();
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
            return response;
        } catch (RuntimeException | Error e) {
            // No answer (refused, timed out): error.type names what went wrong, as the conventions ask.
            span.tag("error.type", e.getClass().getName());
            span.end(e);
            throw e;
        }
    }

    /** The server span being served on this thread, else the span the request's context names. */
    private static Optional<SpanContext> parent(WebClientServiceRequest request) {
        Optional<SpanContext> active = Span.current().map(Span::context);
        return active.isPresent() ? active : request.context().get(SpanContext.class);
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
