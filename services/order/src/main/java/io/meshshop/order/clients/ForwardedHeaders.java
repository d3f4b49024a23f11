package io.meshshop.order.clients;

import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * The inbound request's headers that outbound calls carry. Envoy joins its spans into one trace only if the
 * application copies the trace context from the request it serves to the requests it makes. Only W3C Trace
 * Context goes on: with Istio's OpenTelemetry tracing provider Envoy reads and writes {@code traceparent} alone,
 * and B3 headers copied from the inbound request would be stale by the next hop (they name the caller's span,
 * not our client span) and made user and payment adopt the wrong parent. When tracing is on,
 * {@code ClientTracing} replaces {@code traceparent} with its client span's, which is what a client should send.
 *
 * <p>The customer's {@code Authorization} goes to user only ({@link #applyTo}): user checks the same token
 * and answers only about the customer it names, so even this service cannot read another customer through
 * it, and user's sidecar can require a request principal on the call. Payment never gets it
 * ({@link #applyTraceContextTo}): it is internal, trusts order's workload identity (mTLS), and most of its
 * calls (recovery, minutes later) have no customer, or a token that has expired.
 */
public final class ForwardedHeaders {

    /** Lower case as they go on the wire; HTTP header names are case-insensitive. */
    static final List<HeaderName> NAMES = Stream.of(
                    "traceparent", "tracestate", "baggage",
                    "x-request-id",
                    "authorization")
            .map(HeaderNames::create)
            .toList();

    private static final ForwardedHeaders NONE = new ForwardedHeaders(Map.of());

    /** Values by lower-case name, in the order of {@link #NAMES}. */
    private final Map<String, List<String>> headers;

    private ForwardedHeaders(Map<String, List<String>> headers) {
        this.headers = headers;
    }

    /** The propagated headers present on {@code req}, with all their values. */
    public static ForwardedHeaders from(ServerRequest req) {
        Map<String, List<String>> present = new LinkedHashMap<>();
        for (HeaderName name : NAMES) {
            if (req.headers().contains(name)) {
                present.put(name.lowerCase(), req.headers().get(name).allValues());
            }
        }
        return new ForwardedHeaders(present);
    }

    /** For calls no request asked for (recovery): they start a trace of their own. */
    public static ForwardedHeaders none() {
        return NONE;
    }

    /** Everything, the customer's token included: for calls to user. */
    void applyTo(HttpRequest.Builder outbound) {
        headers.forEach((name, values) -> values.forEach(value -> outbound.header(name, value)));
    }

    /** The trace context and request id, without the customer's credentials: for calls to payment. */
    void applyTraceContextTo(HttpRequest.Builder outbound) {
        headers.forEach((name, values) -> {
            if (!name.equals(HeaderNames.AUTHORIZATION.lowerCase())) {
                values.forEach(value -> outbound.header(name, value));
            }
        });
    }
}
