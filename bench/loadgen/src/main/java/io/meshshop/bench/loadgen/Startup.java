package io.meshshop.bench.loadgen;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * Start-up to ready: starts the given command, polls its readiness URL every 2 ms from this JVM, and takes
 * the time from just before the process was started to the first 200. Then waits a moment and reads the
 * process's resident memory (idle), stops it with SIGTERM as Kubernetes would, and waits for it to exit
 * (which is when a JVM writes a training run's AppCDS archive or AOT cache).
 */
final class Startup {

    record Settings(String name, String mode, String readyUrl, int runs, int discard, Duration settle,
                    Duration readyTimeout, Duration stopTimeout, File log, Map<String, String> env) {
    }

    /** What to run against the server after it is ready, in a training run: a scenario at a rate. */
    record Training(Scenario scenario, double rate, Duration duration) {
    }

    private Startup() {
    }

    static JsonObject measure(List<String> command, Settings s, Training training) throws Exception {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("startup needs the command after --");
        }
        JsonArrayBuilder runs = Json.createArrayBuilder();
        List<Double> readyMillis = new ArrayList<>();
        List<Double> rssMiB = new ArrayList<>();
        for (int run = 0; run < s.discard() + s.runs(); run++) {
            boolean counted = run >= s.discard();
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(s.log()));
            builder.environment().putAll(s.env());
            long start = System.nanoTime();
            Process process = builder.start();
            long ready = Readiness.awaitReady(s.readyUrl(), Duration.ofMillis(2), s.readyTimeout(), process);
            if (ready < 0) {
                process.destroyForcibly();
                throw new IllegalStateException(s.name() + " (" + s.mode() + ") was not ready at " + s.readyUrl()
                        + " within " + s.readyTimeout() + "; see " + s.log());
            }
            double millis = (ready - start) / 1e6;
            JsonObjectBuilder r = Json.createObjectBuilder().add("readyMs", Watch.round(millis, 1)).add("counted", counted);
            if (training != null) {
                // Prepared only now: the users and products it needs are created through the server itself.
                training.scenario().prepare();
                OpenLoop.Step step = OpenLoop.run(training.scenario(), training.rate(), training.duration(),
                        new OpenLoop.Limits(1000, Duration.ofSeconds(10)), new Watch(null));
                System.out.println("  training load: " + step.result().summary());
                if (step.result().ok() == 0) {
                    throw new IllegalStateException("the training load of " + s.name() + " had no successful request");
                }
                r.add("training", step.json());
            }
            Thread.sleep(s.settle());
            long rss = Procfs.rssKib(process.pid());
            r.add("rssIdleMiB", Watch.round(rss / 1024.0, 1))
                    .add("rssAnonMiB", Watch.round(Procfs.statusField(process.pid(), "RssAnon:") / 1024.0, 1))
                    .add("rssFileMiB", Watch.round(Procfs.statusField(process.pid(), "RssFile:") / 1024.0, 1));
            long stopStart = System.nanoTime();
            process.destroy();
            if (!process.waitFor(s.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(s.name() + " did not stop within " + s.stopTimeout());
            }
            r.add("stopMs", Watch.round((System.nanoTime() - stopStart) / 1e6, 1)).add("exitCode", process.exitValue());
            runs.add(r);
            System.out.printf("%-8s %-6s run %d: ready in %7.1f ms, idle RSS %6.1f MiB%s%n", s.name(), s.mode(), run + 1,
                    millis, rss / 1024.0, counted ? "" : " (discarded: first run warms the page cache)");
            if (counted) {
                readyMillis.add(millis);
                rssMiB.add(rss / 1024.0);
            }
        }
        return Json.createObjectBuilder()
                .add("name", s.name())
                .add("mode", s.mode())
                .add("command", String.join(" ", command))
                .add("readyUrl", s.readyUrl())
                .add("runs", runs)
                .add("medianReadyMs", Watch.round(median(readyMillis), 1))
                .add("minReadyMs", Watch.round(Collections.min(readyMillis), 1))
                .add("maxReadyMs", Watch.round(Collections.max(readyMillis), 1))
                .add("medianRssIdleMiB", Watch.round(median(rssMiB), 1))
                .build();
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
