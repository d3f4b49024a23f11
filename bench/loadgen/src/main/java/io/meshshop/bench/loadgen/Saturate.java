package io.meshshop.bench.loadgen;

import java.time.Duration;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * Finds the highest arrival rate whose step holds p99 under a bound with (almost) no errors: doubles the
 * rate from a start until a step fails, then bisects (geometrically) between the last passing and the first
 * failing rate until they are within {@code precision} of each other. A failed step is tried once more before
 * its rate counts as failing. Bounded by {@code maxSteps} (each at most two tries), and each try by its
 * duration plus the drain, so a run always ends.
 */
final class Saturate {

    /** {@code warmupConcurrency} > 0 warms up with a closed loop of that many requests in flight. */
    record Settings(double startRate, double maxRate, double p99BoundMillis, double maxErrorRatio,
                    Duration stepDuration, Duration warmup, int warmupConcurrency, Duration cooldown, int maxSteps,
                    double precision) {
    }

    private Saturate() {
    }

    static JsonObject search(Scenario scenario, Settings s, OpenLoop.Limits limits, Watch watch) {
        JsonObjectBuilder out = Json.createObjectBuilder();
        if (!s.warmup().isZero()) {
            OpenLoop.Step warm;
            if (s.warmupConcurrency() > 0) {
                System.out.printf("warm-up %s, closed loop of %d%n", s.warmup(), s.warmupConcurrency());
                warm = OpenLoop.closedLoop(scenario, s.warmupConcurrency(), s.warmup(), watch);
            } else {
                System.out.printf("warm-up %s at %.0f/s%n", s.warmup(), s.startRate());
                warm = OpenLoop.run(scenario, s.startRate(), s.warmup(), limits, watch);
            }
            System.out.println("  warm-up: " + warm.result().summary());
            out.add("warmup", warm.json());
            pause(s.cooldown());
        }
        JsonArrayBuilder steps = Json.createArrayBuilder();
        double rate = s.startRate();
        double best = 0;
        double lowestFailing = Double.POSITIVE_INFINITY;
        JsonObject bestStep = null;
        for (int i = 0; i < s.maxSteps(); i++) {
            OpenLoop.Step step = OpenLoop.run(scenario, rate, s.stepDuration(), limits, watch);
            StepResult r = step.result();
            boolean pass = passes(r, s);
            JsonObject json = step.json().add("pass", pass).build();
            steps.add(json);
            System.out.printf("step %2d %s  %s%n", i + 1, pass ? "PASS" : "FAIL", r.summary());
            if (!pass) {
                // On a machine shared with other work one bad second can fail a step that the servers would
                // hold: a rate counts as failing only when a second try at it fails too.
                pause(s.cooldown());
                OpenLoop.Step again = OpenLoop.run(scenario, rate, s.stepDuration(), limits, watch);
                pass = passes(again.result(), s);
                JsonObject againJson = again.json().add("pass", pass).add("retryOfFailedStep", true).build();
                steps.add(againJson);
                System.out.printf("step %2d %s  %s  (second try)%n", i + 1, pass ? "PASS" : "FAIL",
                        again.result().summary());
                if (pass) {
                    json = againJson;
                }
            }
            if (pass && rate > best) {
                best = rate;
                bestStep = json;
            } else if (!pass) {
                lowestFailing = Math.min(lowestFailing, rate);
            }
            double next;
            if (lowestFailing == Double.POSITIVE_INFINITY) {
                if (rate >= s.maxRate()) {
                    break;
                }
                next = Math.min(rate * 2, s.maxRate());
            } else if (best == 0) {
                next = rate / 2;
                if (next < 1) {
                    break;
                }
            } else {
                if (lowestFailing / best <= 1 + s.precision()) {
                    break;
                }
                next = Math.sqrt(best * lowestFailing);
            }
            rate = next >= 10 ? Math.round(next) : next;
            // A failed step leaves queues and garbage behind: let the servers settle before the next one.
            pause(pass ? Duration.ofMillis(500) : s.cooldown());
        }
        out.add("settings", Json.createObjectBuilder()
                .add("startRatePerSec", s.startRate()).add("maxRatePerSec", s.maxRate())
                .add("p99BoundMs", s.p99BoundMillis()).add("maxErrorRatio", s.maxErrorRatio())
                .add("stepDurationSec", s.stepDuration().toMillis() / 1000.0)
                .add("warmupSec", s.warmup().toMillis() / 1000.0)
                .add("warmupClosedLoopConcurrency", s.warmupConcurrency())
                .add("maxSteps", s.maxSteps()).add("precision", s.precision()));
        out.add("steps", steps);
        out.add("maxRatePerSec", best);
        out.add("lowestFailingRatePerSec", lowestFailing == Double.POSITIVE_INFINITY ? -1 : lowestFailing);
        if (bestStep != null) {
            out.add("best", bestStep);
        }
        System.out.printf("highest rate with p99 <= %.1f ms: %.0f/s (lowest failing: %s)%n", s.p99BoundMillis(), best,
                lowestFailing == Double.POSITIVE_INFINITY ? "none" : String.format("%.0f/s", lowestFailing));
        return out.build();
    }

    private static boolean passes(StepResult r, Settings s) {
        return r.p99Millis() <= s.p99BoundMillis() && r.errorRatio() <= s.maxErrorRatio();
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
