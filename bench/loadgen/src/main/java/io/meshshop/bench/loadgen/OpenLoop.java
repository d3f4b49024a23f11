package io.meshshop.bench.loadgen;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import jakarta.json.JsonObjectBuilder;

/**
 * The open model: request {@code i} of a step is due at {@code start + i / rate}, whatever happened to the
 * requests before it, and each runs on its own virtual thread. Latency is measured from that intended start,
 * so time spent queueing (in the generator waiting for a connection, or in the server) is counted, and a
 * slow server cannot lower the offered load by answering slowly (no coordinated omission).
 */
final class OpenLoop {

    /**
     * Limits: {@code maxInFlight} requests at once (beyond it a request is counted as an error, not sent,
     * so an overload is visible instead of exhausting memory) and how long to wait for the last answers.
     */
    record Limits(int maxInFlight, Duration drain) {
    }

    private OpenLoop() {
    }

    /** Runs one step and returns its JSON, with the CPU and RSS of the watched processes over the step. */
    static Step run(Scenario scenario, double rate, Duration duration, Limits limits, Watch watch) {
        StepResult result = new StepResult(rate, duration.toMillis() / 1000.0);
        long total = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
        double intervalNanos = 1e9 / rate;
        AtomicInteger inFlight = new AtomicInteger();
        Watch.Snapshot before = watch.snapshot();
        Watch.RssSampler rss = watch.sampleRss();
        long start = System.nanoTime() + 1_000_000;
        long maxLag = 0;
        for (long i = 0; i < total; i++) {
            long intended = start + (long) (i * intervalNanos);
            long now = System.nanoTime();
            while (now < intended) {
                LockSupport.parkNanos(intended - now);
                now = System.nanoTime();
            }
            maxLag = Math.max(maxLag, now - intended);
            if (inFlight.get() >= limits.maxInFlight()) {
                result.overloaded();
                continue;
            }
            inFlight.incrementAndGet();
            Thread.ofVirtual().start(() -> {
                try {
                    Outcome outcome = perform(scenario);
                    long end = System.nanoTime();
                    result.record(outcome, end - intended, end);
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        }
        long deadline = System.nanoTime() + limits.drain().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
        }
        result.finish(total, start, inFlight.get(), maxLag);
        Watch.Snapshot after = watch.snapshot();
        JsonObjectBuilder json = result.toJson()
                .add("cpu", Watch.cpu(before, after, result.ok()))
                .add("rss", rss.stop())
                // Other work on a shared machine shows here: a step measured under load is not comparable.
                .add("loadAverage", Procfs.loadAverage());
        return new Step(result, json);
    }

    /**
     * A closed-loop warm-up: {@code concurrency} virtual threads send requests back to back for the duration.
     * It runs the servers at whatever rate they can sustain, so their JIT compilers see as many requests as
     * possible before anything is measured; at a low open-model rate a JVM would still be running
     * profiled tier-3 code after a minute. Its figures are kept in the result but never judged.
     */
    static Step closedLoop(Scenario scenario, int concurrency, Duration duration, Watch watch) {
        StepResult result = new StepResult(0, duration.toMillis() / 1000.0);
        Watch.Snapshot before = watch.snapshot();
        Watch.RssSampler rss = watch.sampleRss();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        Thread[] workers = new Thread[concurrency];
        for (int w = 0; w < concurrency; w++) {
            workers[w] = Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < deadline) {
                    long begin = System.nanoTime();
                    Outcome outcome = perform(scenario);
                    long end = System.nanoTime();
                    sent.incrementAndGet();
                    result.record(outcome, end - begin, end);
                }
            });
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        result.finish(sent.get(), start, 0, 0);
        JsonObjectBuilder json = result.toJson()
                .add("closedLoopConcurrency", concurrency)
                .add("cpu", Watch.cpu(before, watch.snapshot(), result.ok()))
                .add("rss", rss.stop())
                .add("loadAverage", Procfs.loadAverage());
        return new Step(result, json);
    }

    /** A bug in a scenario is counted as an error of the generator, never lost with its thread. */
    private static Outcome perform(Scenario scenario) {
        try {
            return scenario.perform();
        } catch (RuntimeException e) {
            return new Outcome("bug", -1, "generator-" + e.getClass().getSimpleName());
        }
    }

    record Step(StepResult result, JsonObjectBuilder json) {
    }
}
