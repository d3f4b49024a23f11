package io.meshshop.systemtests;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * An incoming W3C trace context, as the caller's sidecar would send it: the test chooses the trace id
 * and the parent span id, so it knows which trace to look for and what the server span's parent must be.
 */
record TraceContext(String traceId, String parentSpanId) {

    private static final SecureRandom RANDOM = new SecureRandom();

    static TraceContext random() {
        return new TraceContext(hex(16), hex(8));
    }

    /** The traceparent header value, sampled. */
    String traceparent() {
        return "00-" + traceId + "-" + parentSpanId + "-01";
    }

    private static String hex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        value[0] |= 1; // never all zeros, which W3C forbids
        return HexFormat.of().formatHex(value);
    }
}
