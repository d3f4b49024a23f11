package io.meshshop.common.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

/**
 * Business counters and gauges. Meters are found through the registry that is current at each use, never kept
 * in fields: the metrics feature installs its registry when the server starts, and a meter registered before
 * that would never be scraped (docs/helidon-workarounds.md#the-metrics-registry).
 */
public final class Meters {

    /** {@code meshshop_idempotency_requests_total{outcome}}, counted by common's Idempotency. */
    public static final String IDEMPOTENCY_REQUESTS = "meshshop.idempotency.requests";
    public static final String IDEMPOTENCY_REQUESTS_DESCRIPTION = "Requests that carried an Idempotency-Key, by outcome";

    /** Counters that exist at zero from the first scrape; registered again in every new registry. */
    private static final List<Series> PRE_REGISTERED = new CopyOnWriteArrayList<>();

    /** Counters already found, by registry, name and tags: bounded, since tag values are few and fixed. */
    private static final Map<CounterKey, Counter> COUNTERS = new ConcurrentHashMap<>();
    private static final int MAX_REMEMBERED_COUNTERS = 1_000;

    private Meters() {
    }

    /**
     * Creates the counter {@code name} at zero for each value of its one tag, so the series exist before their
     * first event: a rate over a counter that appears with its first error sees no increase for that error, and
     * the SLO rules and alerts read the ratio of two series that must both exist
     * (observability/README.md, counters that exist before the first error). Call it once at set-up, before the
     * server starts; {@link RequestMetrics} registers the series again in the registry the metrics feature
     * installs when the server starts (docs/helidon-workarounds.md#the-metrics-registry), on the first request,
     * which the first scrape is.
     *
     * <p>{@code Meters.preRegister("meshshop.payments", "Charges by outcome", "outcome", "captured", "declined")}
     */
    public static void preRegister(String name, String description, String tag, String... values) {
        register(new Series(name, description, tag, List.of(values)));
    }

    /** Creates the counter {@code name}, which has no tags, at zero; as the method above. */
    public static void preRegister(String name, String description) {
        register(new Series(name, description, null, List.of()));
    }

    private static void register(Series series) {
        if (!PRE_REGISTERED.contains(series)) {
            PRE_REGISTERED.add(series);
        }
        series.registerIn(Metrics.globalRegistry());
    }

    /** Registers every pre-registered series in {@code registry} (a new one: the server just started). */
    static void registerPreRegistered(MeterRegistry registry) {
        for (Series series : PRE_REGISTERED) {
            series.registerIn(registry);
        }
    }

    /** One counter's series: its name, description and one tag with all its values, or no tag (null). */
    private record Series(String name, String description, String tag, List<String> values) {

        void registerIn(MeterRegistry registry) {
            if (tag == null) {
                registry.getOrCreate(Counter.builder(name).description(description));
                return;
            }
            for (String value : values) {
                registry.getOrCreate(Counter.builder(name).description(description)
                        .tags(List.of(Tag.create(tag, value))));
            }
        }
    }

    /** Adds one to {@code name} with the given tag pairs ({@code "outcome", "captured", ...}). */
    public static void count(String name, String description, String... tags) {
        add(name, description, 1, tags);
    }

    public static void add(String name, String description, long amount, String... tags) {
        MeterRegistry registry = Metrics.globalRegistry();
        // Remembered per registry: building the meter's id and looking it up in Helidon's registry cost more
        // than the count. The key holds the registry, so a new registry (a server start) finds nothing here.
        CounterKey key = new CounterKey(registry, name, List.of(tags));
        Counter counter = COUNTERS.get(key);
        if (counter == null) {
            List<Tag> list = new ArrayList<>(tags.length / 2);
            for (int i = 0; i < tags.length; i += 2) {
                list.add(Tag.create(tags[i], tags[i + 1]));
            }
            counter = registry.getOrCreate(Counter.builder(name).description(description).tags(list));
            if (COUNTERS.size() >= MAX_REMEMBERED_COUNTERS) {
                COUNTERS.clear();
            }
            COUNTERS.put(key, counter);
        }
        counter.increment(amount);
    }

    /** A counter's identity in one registry; the registry by identity (a new one is never equal to the last). */
    private record CounterKey(MeterRegistry registry, String name, List<String> tags) {

        @Override
        public boolean equals(Object o) {
            return o instanceof CounterKey k && k.registry == registry && k.name.equals(name) && k.tags.equals(tags);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(registry) * 31 * 31 + name.hashCode() * 31 + tags.hashCode();
        }
    }

    /**
     * A gauge that reads {@code value} at each scrape; call it again after a server start (it registers the
     * gauge with the registry that is current then). {@code value} must answer at once: a scrape waits for it.
     */
    public static void gauge(String name, String description, Supplier<Long> value) {
        Metrics.globalRegistry().getOrCreate(Gauge.builder(name, value).description(description));
    }
}
