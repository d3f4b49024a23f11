package io.meshshop.common.http;

import java.util.List;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Refuses body framing that HTTP/1.1 forbids (RFC 9112 6.3) and Helidon 4.1.2 does not check: conflicting
 * or negative Content-Length, Content-Length together with Transfer-Encoding, a transfer coding other than
 * chunked. Helidon would otherwise wait for bytes that never come, or read the body by the wrong length.
 * The connection is closed after the 400, since where the next request would start is unknown.
 * See docs/helidon-workarounds.md#request-framing.
 */
public final class RequestFraming {

    private RequestFraming() {
    }

    public static void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Headers headers = req.headers();
        String problem = null;
        boolean chunked = headers.contains(HeaderNames.TRANSFER_ENCODING);
        if (headers.contains(HeaderNames.CONTENT_LENGTH)) {
            List<String> lengths = headers.get(HeaderNames.CONTENT_LENGTH).allValues();
            if (lengths.stream().map(String::strip).distinct().count() > 1) {
                problem = "Content-Length is given more than once, with different values";
            } else if (!lengths.getFirst().strip().matches("[0-9]{1,18}")) {
                problem = "Content-Length must be a non-negative integer";
            } else if (chunked) {
                problem = "Send Content-Length or Transfer-Encoding, not both";
            }
        }
        if (problem == null && chunked
            && !headers.get(HeaderNames.TRANSFER_ENCODING).allValues().stream().map(String::strip).toList()
                    .equals(List.of("chunked"))) {
            problem = "Only Transfer-Encoding: chunked is supported";
        }
        if (problem != null) {
            res.header(HeaderValues.CONNECTION_CLOSE);
            Problems.send(res, ProblemException.of(ProblemType.BAD_REQUEST, problem));
            return;
        }
        chain.proceed();
    }
}
