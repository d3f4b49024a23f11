package io.meshshop.systemtests;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.fail;

/** Checks shared by the trace tests. */
final class Assertions {

    private Assertions() {
    }

    /** Spans leave the process: no span name or attribute may carry the e-mail address the test sent. */
    static void noPersonalData(TraceTree tree, String email) {
        String needle = email.toLowerCase(Locale.ROOT);
        for (ReceivedSpan span : tree.spans()) {
            if (span.name().toLowerCase(Locale.ROOT).contains(needle)) {
                fail("span name carries the e-mail address: " + span);
            }
            span.attributes().forEach((key, value) -> {
                if (value.toLowerCase(Locale.ROOT).contains(needle)) {
                    fail("span attribute " + key + " carries the e-mail address: " + span);
                }
            });
        }
    }
}
