package io.meshshop.bench.loadgen;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * The processes whose cost a run reports ({@code --watch user=PID,order=PID}): CPU seconds per request over
 * each step, and resident memory sampled during it. The load generator itself and every PostgreSQL process
 * are always included, since on 2 shared cores their CPU is part of what a request costs.
 */
final class Watch {

    private static final String POSTGRES = "postgres";

    private final Map<String, Long> pids = new LinkedHashMap<>();

    Watch(String spec) {
        if (spec != null && !spec.isBlank()) {
            for (String part : spec.split(",")) {
                String[] kv = part.trim().split("=");
                if (kv.length != 2) {
                    throw new IllegalArgumentException("--watch wants name=pid[,name=pid]; got " + spec);
                }
                pids.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        pids.put("loadgen", ProcessHandle.current().pid());
    }

    Map<String, Long> pids() {
        return pids;
    }

    /** CPU ticks of each watched process, of all postgres processes, and of the machine, at one instant. */
    Snapshot snapshot() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> ticks.put(name, Procfs.cpuTicks(pid)));
        ticks.put(POSTGRES, Procfs.cpuTicksOfAll(POSTGRES));
        return new Snapshot(ticks, Procfs.machineTicks());
    }

    record Snapshot(Map<String, Long> ticks, long[] machine) {
    }

    /** CPU over an interval: seconds per process and per successful request, and the machine's busy share. */
    static JsonObject cpu(Snapshot before, Snapshot after, long requests) {
        JsonObjectBuilder processes = Json.createObjectBuilder();
        before.ticks().forEach((name, start) -> {
            Long end = after.ticks().get(name);
            if (start >= 0 && end != null && end >= start) {
                double seconds = (end - start) / Procfs.TICKS_PER_SECOND;
                JsonObjectBuilder p = Json.createObjectBuilder().add("cpuSeconds", round(seconds, 2));
                if (requests > 0) {
                    p.add("cpuMicrosPerRequest", round(seconds * 1e6 / requests, 1));
                }
                processes.add(name, p);
            }
        });
        long busy = after.machine()[0] - before.machine()[0];
        long total = after.machine()[1] - before.machine()[1];
        JsonObjectBuilder cpu = Json.createObjectBuilder().add("processes", processes);
        if (total > 0 && before.machine()[0] >= 0) {
            cpu.add("machineBusyPercent", round(100.0 * busy / total, 1));
        }
        return cpu.build();
    }

    /** Samples VmRSS of the watched processes every 250 ms on a daemon thread until {@link RssSampler#stop()}. */
    RssSampler sampleRss() {
        return new RssSampler(pids);
    }

    static final class RssSampler {
        private final Map<String, Long> pids;
        private final Map<String, Long> maxKib = new ConcurrentHashMap<>();
        private final Map<String, Long> lastKib = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        RssSampler(Map<String, Long> pids) {
            this.pids = pids;
            this.thread = Thread.ofPlatform().daemon().name("rss-sampler").start(this::loop);
        }

        private void loop() {
            while (running) {
                sample();
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            pids.forEach((name, pid) -> {
                long kib = Procfs.rssKib(pid);
                if (kib > 0) {
                    lastKib.put(name, kib);
                    maxKib.merge(name, kib, Math::max);
                }
            });
        }

        JsonObject stop() {
            running = false;
            thread.interrupt();
            sample();
            JsonObjectBuilder rss = Json.createObjectBuilder();
            pids.keySet().forEach(name -> {
                if (maxKib.containsKey(name)) {
                    rss.add(name, Json.createObjectBuilder()
                            .add("maxMiB", round(maxKib.get(name) / 1024.0, 1))
                            .add("lastMiB", round(lastKib.get(name) / 1024.0, 1)));
                }
            });
            return rss.build();
        }
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
