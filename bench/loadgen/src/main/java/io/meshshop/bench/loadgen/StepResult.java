package io.meshshop.bench.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The figures of one step at one arrival rate: latency histograms (from each request's intended start, in
 * microseconds, all requests and per operation), counts by status or error, and the step's timing. Filled
 * concurrently by the request threads.
 */
final class StepResult {

    static final String ALL = "all";
    /** Latencies above a minute are recorded as a minute; no request is allowed to take that long anyway. */
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);

    private final double targetRate;
    private final double durationSeconds;
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> statuses = new ConcurrentHashMap<>();
    private final LongAdder completed = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final Map<String, LongAdder> okByOperation = new ConcurrentHashMap<>();
    private final LongAdder overloaded = new LongAdder();
    private final AtomicLong lastCompletionNanos = new AtomicLong();
    private long scheduled;
    private long unfinished;
    private long elapsedNanos;
    private long maxSchedulerLagNanos;

    StepResult(double targetRate, double durationSeconds) {
        this.targetRate = targetRate;
        this.durationSeconds = durationSeconds;
    }

    void record(Outcome outcome, long latencyNanos, long completionNanos) {
        long micros = Math.min(Math.max(latencyNanos / 1000, 1), HIGHEST_MICROS);
        histogram(ALL).recordValue(micros);
        histogram(outcome.operation()).recordValue(micros);
        statuses.computeIfAbsent(outcome.operation(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome.key(), k -> new LongAdder()).increment();
        completed.increment();
        if (outcome.ok()) {
            ok.increment();
            okByOperation.computeIfAbsent(outcome.operation(), k -> new LongAdder()).increment();
        }
        lastCompletionNanos.accumulateAndGet(completionNanos, Math::max);
    }

    /** A request not sent because too many were already in flight: the generator's own limit, an error. */
    void overloaded() {
        overloaded.increment();
    }

    void finish(long scheduled, long startNanos, long unfinished, long maxSchedulerLagNanos) {
        this.scheduled = scheduled;
        this.unfinished = unfinished;
        this.maxSchedulerLagNanos = maxSchedulerLagNanos;
        long last = lastCompletionNanos.get();
        this.elapsedNanos = Math.max(last - startNanos, (long) (durationSeconds * 1e9));
    }

    private Histogram histogram(String operation) {
        return latency.computeIfAbsent(operation, k -> new ConcurrentHistogram(HIGHEST_MICROS, 3));
    }

    long ok() {
        return ok.sum();
    }

    long completed() {
        return completed.sum();
    }

    /** Requests that failed, timed out, were never answered within the drain, or were never sent. */
    long errors() {
        return completed.sum() - ok.sum() + unfinished + overloaded.sum();
    }

    double errorRatio() {
        return scheduled == 0 ? 0 : (double) errors() / scheduled;
    }

    double p99Millis() {
        Histogram all = latency.get(ALL);
        return all == null ? Double.POSITIVE_INFINITY : all.getValueAtPercentile(99.0) / 1000.0;
    }

    double throughput() {
        return elapsedNanos == 0 ? 0 : ok.sum() / (elapsedNanos / 1e9);
    }

    double targetRate() {
        return targetRate;
    }

    JsonObjectBuilder toJson() {
        JsonObjectBuilder latencies = Json.createObjectBuilder();
        new TreeMap<>(latency).forEach((op, h) -> latencies.add(op, percentiles(h)));
        JsonObjectBuilder byOperation = Json.createObjectBuilder();
        new TreeMap<>(statuses).forEach((op, counts) -> {
            JsonObjectBuilder c = Json.createObjectBuilder();
            new TreeMap<>(counts).forEach((key, n) -> c.add(key, n.sum()));
            byOperation.add(op, c);
        });
        JsonObjectBuilder statusCounts = Json.createObjectBuilder();
        statusCounts().forEach(statusCounts::add);
        JsonObjectBuilder okRates = Json.createObjectBuilder();
        new TreeMap<>(okByOperation).forEach((op, n) -> okRates.add(op, Watch.round(n.sum() / (elapsedNanos / 1e9), 1)));
        return Json.createObjectBuilder()
                .add("targetRatePerSec", Watch.round(targetRate, 1))
                .add("durationSec", durationSeconds)
                .add("scheduled", scheduled)
                .add("completed", completed.sum())
                .add("ok", ok.sum())
                .add("errors", errors())
                .add("errorRatio", Watch.round(errorRatio(), 5))
                .add("throughputPerSec", Watch.round(throughput(), 1))
                .add("okPerSecByOperation", okRates)
                .add("statuses", statusCounts)
                .add("statusesByOperation", byOperation)
                .add("latencyMs", latencies)
                .add("maxSchedulerLagMs", Watch.round(maxSchedulerLagNanos / 1e6, 2));
    }

    private static JsonObject percentiles(Histogram h) {
        return Json.createObjectBuilder()
                .add("count", h.getTotalCount())
                .add("mean", Watch.round(h.getMean() / 1000.0, 3))
                .add("p50", h.getValueAtPercentile(50) / 1000.0)
                .add("p90", h.getValueAtPercentile(90) / 1000.0)
                .add("p99", h.getValueAtPercentile(99) / 1000.0)
                .add("p99_9", h.getValueAtPercentile(99.9) / 1000.0)
                .add("max", h.getMaxValue() / 1000.0)
                .build();
    }

    /** One line for the console. */
    String summary() {
        Histogram all = latency.get(ALL);
        String lat = all == null ? "no responses" : String.format(
                "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms",
                all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(90) / 1000.0,
                all.getValueAtPercentile(99) / 1000.0, all.getValueAtPercentile(99.9) / 1000.0,
                all.getMaxValue() / 1000.0);
        return String.format("rate %8.1f/s  ok %8.1f/s  errors %d  %s  statuses %s",
                targetRate, throughput(), errors(), lat, statusCounts());
    }

    /** Counts by status or error over all operations, with the requests never sent or never answered. */
    private Map<String, Long> statusCounts() {
        Map<String, Long> counts = new TreeMap<>();
        statuses.values().forEach(c -> c.forEach((key, n) -> counts.merge(key, n.sum(), Long::sum)));
        if (overloaded.sum() > 0) {
            counts.put("not-sent-generator-limit", overloaded.sum());
        }
        if (unfinished > 0) {
            counts.put("unfinished", unfinished);
        }
        return counts;
    }
}
