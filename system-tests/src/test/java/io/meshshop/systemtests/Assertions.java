package io.meshshop.systemtests;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.fail;

/** Checks shared by the trace tests. */
final class Assertions {

    private Assertions() {
    }

    /** Spans leave the process: no span name or attribute may carry the e-mail address the test sent. */
    static void noPersonalData(TraceTree tree, String email) {
        noSecret(tree, "the e-mail address", email);
    }

    /**
     * No span name, attribute or resource attribute may carry {@code secret} (compared ignoring case); the
     * failure names the span and the attribute, and shows {@code what} instead of the secret.
     */
    static void noSecret(TraceTree tree, String what, String secret) {
        String needle = secret.toLowerCase(Locale.ROOT);
        for (ReceivedSpan span : tree.spans()) {
            if (span.name().toLowerCase(Locale.ROOT).contains(needle)) {
                fail("span name carries " + what + ": " + span);
            }
            span.attributes().forEach((key, value) -> {
                if (value.toLowerCase(Locale.ROOT).contains(needle)) {
                    fail("span attribute " + key + " carries " + what + ": " + span);
                }
            });
            span.resource().forEach((key, value) -> {
                if (value.toLowerCase(Locale.ROOT).contains(needle)) {
                    fail("resource attribute " + key + " carries " + what + ": " + span);
                }
            });
        }
    }
}
