package io.meshshop.common.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The series of one counter with one label (or none), as counted so far in this JVM, for tests that check which
 * series a fresh server shows before any event. In a service's own process that is zero; test classes share the JVM's
 * metrics registry with the servers that ran before them (a server started later still shows what they counted),
 * so a test takes this baseline before it sets its server up and expects exactly it in the first scrape.
 */
public final class CounterBaseline {

    private final String scrapeName;
    /** The count of each series, by its tag: {@code List.of(label, value)}, or {@code List.of()} for none. */
    private final Map<List<String>, Double> counted;

    private CounterBaseline(String meterName, Map<List<String>, Double> counted) {
        // Prometheus' name: dots become underscores, and a counter's samples end in _total.
        this.scrapeName = meterName.replace('.', '_') + "_total";
        this.counted = counted;
    }

    /** The counts of {@code meterName{label=value}} for each value now (0 for a series not registered yet). */
    public static CounterBaseline take(String meterName, String label, String... values) {
        Map<List<String>, Double> counted = new LinkedHashMap<>();
        for (String value : values) {
            counted.put(List.of(label, value), countNow(meterName, List.of(Tag.create(label, value))));
        }
        return new CounterBaseline(meterName, counted);
    }

    /** The count of {@code meterName}, a counter without tags, now (0 while it is not registered). */
    public static CounterBaseline take(String meterName) {
        return new CounterBaseline(meterName, Map.of(List.of(), countNow(meterName, List.of())));
    }

    private static double countNow(String meterName, List<Tag> tags) {
        return Metrics.globalRegistry().counter(meterName, tags).map(Counter::count).orElse(0L).doubleValue();
    }

    /**
     * The first scrape of a fresh server at {@code base} (call it before anything else requests it: the scrape is
     * then the server's first request), and another after an unrelated request: every baseline unchanged in both.
     */
    public static void assertUnchangedFromTheFirstScrape(String base, CounterBaseline... baselines) {
        PrometheusText first = PrometheusText.scrape(base);
        for (CounterBaseline baseline : baselines) {
            baseline.assertScrapedUnchanged(first);
        }
        assertEquals(404, HttpCalls.send("GET", base + "/no-such-route", null).statusCode(), "an unrelated request");
        PrometheusText after = PrometheusText.scrape(base);
        for (CounterBaseline baseline : baselines) {
            baseline.assertScrapedUnchanged(after);
        }
    }

    /** Every series is in the scrape, once, with the count of the baseline: nothing was counted since. */
    public void assertScrapedUnchanged(PrometheusText scrape) {
        assertFalse(counted.isEmpty(), "a baseline of no series");
        counted.forEach((tag, count) -> {
            String series = scrapeName + (tag.isEmpty() ? "" : "{" + tag.get(0) + "=\"" + tag.get(1) + "\"}");
            assertEquals(List.of(count), scrape.values(scrapeName, tag.toArray(String[]::new)),
                    series + " should be in the scrape once, at " + count + " (0 in a service's own process)");
        });
    }
}
