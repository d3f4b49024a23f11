package io.meshshop.order.clients;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.helidon.http.ClientRequestHeaders;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * The inbound request's headers that every outbound call must carry. Envoy joins its spans into one trace
 * only if the application copies the trace context from the request it serves to the requests it makes
 * (W3C and B3, since sidecars and the app may use either), and Istio's policies and the services behind
 * see the caller only if its identity headers travel along. When tracing is on, WebClient's tracing
 * replaces {@code traceparent} and the B3 ids with a child span of the same trace, which is what a client
 * span should send.
 */
public final class ForwardedHeaders {

    /** Lower case as they go on the wire; HTTP header names are case-insensitive. */
    static final List<HeaderName> NAMES = Stream.of(
                    "traceparent", "tracestate",
                    "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "b3",
                    "x-request-id", "baggage",
                    "authorization", "end-user")
            .map(HeaderNames::create)
            .toList();

    private static final ForwardedHeaders NONE = new ForwardedHeaders(List.of());

    private final List<Header> headers;

    private ForwardedHeaders(List<Header> headers) {
        this.headers = List.copyOf(headers);
    }

    /** The propagated headers present on {@code req}, with all their values. */
    public static ForwardedHeaders from(ServerRequest req) {
        List<Header> present = new ArrayList<>();
        for (HeaderName name : NAMES) {
            if (req.headers().contains(name)) {
                present.add(req.headers().get(name));
            }
        }
        return new ForwardedHeaders(present);
    }

    /** For calls no request asked for (recovery): they start a trace of their own. */
    public static ForwardedHeaders none() {
        return NONE;
    }

    void applyTo(ClientRequestHeaders outbound) {
        headers.forEach(outbound::set);
    }
}
