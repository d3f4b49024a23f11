package io.meshshop.common.observe;

import java.util.ArrayList;
import java.util.List;

import java.util.function.Supplier;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

/**
 * Business counters and gauges. Meters are looked up at each use, not kept in fields: the metrics feature
 * installs its registry when the server starts, and a meter registered before that would never be scraped
 * (docs/helidon-workarounds.md#the-metrics-registry).
 */
public final class Meters {

    private Meters() {
    }

    /** Adds one to {@code name} with the given tag pairs ({@code "outcome", "captured", ...}). */
    public static void count(String name, String description, String... tags) {
        add(name, description, 1, tags);
    }

    public static void add(String name, String description, long amount, String... tags) {
        List<Tag> list = new ArrayList<>(tags.length / 2);
        for (int i = 0; i < tags.length; i += 2) {
            list.add(Tag.create(tags[i], tags[i + 1]));
        }
        Metrics.globalRegistry()
                .getOrCreate(Counter.builder(name).description(description).tags(list))
                .increment(amount);
    }

    /**
     * A gauge that reads {@code value} at each scrape; call it again after a server start (it registers the
     * gauge with the registry that is current then). {@code value} must answer at once: a scrape waits for it.
     */
    public static void gauge(String name, String description, Supplier<Long> value) {
        Metrics.globalRegistry().getOrCreate(Gauge.builder(name, value).description(description));
    }
}
