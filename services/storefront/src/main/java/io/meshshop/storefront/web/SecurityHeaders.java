package io.meshshop.storefront.web;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Headers on every storefront answer. The Content-Security-Policy allows scripts, styles and connections
 * from this origin only and no inline script or style at all, so injected markup cannot run or call out;
 * that is also what makes keeping the access token in the page's storage acceptable (see README.md).
 */
public final class SecurityHeaders {

    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private SecurityHeaders() {
    }

    public static void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        // The page never needs another window's handle, nor to be embedded or read by another origin.
        res.header(HeaderNames.create("Cross-Origin-Opener-Policy"), "same-origin");
        res.header(HeaderNames.create("Cross-Origin-Resource-Policy"), "same-origin");
        chain.proceed();
    }
}
