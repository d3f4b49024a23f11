package io.meshshop.bench.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The README table of one harness run, from the JSON files that {@code bench/run.sh} left in one folder.
 * Every figure is also given as a ratio to the ceiling server measured in the same run: absolute numbers on a
 * shared 2-core machine move from run to run, the ratios much less. A missing file shows as a dash.
 */
final class Report {

    static final List<String> SERVICES = List.of("user", "payment", "order");
    static final List<String> STARTUP_SERVERS = List.of("ceiling", "user", "payment", "order");
    static final List<String> MODES = List.of("plain", "appcds", "aot");

    private final Path dir;
    private final StringBuilder md = new StringBuilder();

    private Report(Path dir) {
        this.dir = dir;
    }

    static String markdown(Path dir) throws IOException {
        return new Report(dir).build();
    }

    private String build() throws IOException {
        JsonObject env = load("env.json");
        line("## Benchmark figures");
        line("");
        if (env != null) {
            line("- Date: " + env.getString("date", "?") + "; run folder `" + dir.getFileName() + "`");
            line("- Machine: " + env.getInt("cores", 0) + " cores (" + env.getString("cpuModel", "?") + "), "
                 + env.getJsonNumber("memTotalMiB") + " MiB, " + env.getString("kernel", "?")
                 + ". Shared by everything: the servers, PostgreSQL and the load generator run on the same 2 cores.");
            line("- JDK: " + env.getString("jdk", "?") + "; service JVM options: `" + env.getString("jvmOptions", "") + "`");
            line("- Load average before the run: " + env.getString("loadAverage", "?") + "; " + env.getString("note", ""));
            line("- Command: `" + env.getString("command", "bench/run.sh") + "` (commit " + env.getString("git", "?") + ")");
        }
        line("");
        throughput();
        orders();
        startup();
        memory();
        return md.toString();
    }

    private void throughput() throws IOException {
        JsonObject ceilingWrk = load("ceiling-wrk.json");
        JsonObject ceilingSat = load("ceiling-saturate.json");
        double ceilingWrkRate = wrkRate(ceilingWrk);
        double ceilingMax = maxRate(ceilingSat);
        line("### Requests: `GET /api/users/{id}` against the ceiling (`GET /api/ceiling`, fixed JSON)");
        line("");
        line("wrk is a closed loop (its own latency figures suffer from coordinated omission; only its throughput is "
             + "used). The load generator is an open model: the highest constant arrival rate whose p99, measured from "
             + "each request's intended start, stays under the bound with at most 0.1% errors.");
        line("");
        line("| server | wrk req/s | × ceiling | open-model max rate/s (p99 bound) | × ceiling | p50 / p99 ms at that rate | server CPU µs/request (wrk / open model) | load average during the search |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|");
        row("ceiling (Helidon, one route)", ceilingWrk, ceilingSat, ceilingWrkRate, ceilingMax, "ceiling");
        row("user, as shipped (tracing 10% to OTLP sink, metrics on)", load("user-shipped-wrk.json"),
                load("user-shipped-saturate.json"), ceilingWrkRate, ceilingMax, "user");
        row("user, tracing 100%", load("user-trace100-wrk.json"), load("user-trace100-saturate.json"),
                ceilingWrkRate, ceilingMax, "user");
        row("user, tracing and metrics off", load("user-off-wrk.json"), load("user-off-saturate.json"),
                ceilingWrkRate, ceilingMax, "user");
        line("");
        double shippedWrk = wrkRate(load("user-shipped-wrk.json"));
        double offWrk = wrkRate(load("user-off-wrk.json"));
        double fullWrk = wrkRate(load("user-trace100-wrk.json"));
        double shippedMax = maxRate(load("user-shipped-saturate.json"));
        double offMax = maxRate(load("user-off-saturate.json"));
        double fullMax = maxRate(load("user-trace100-saturate.json"));
        double shippedCpu = num(load("user-shipped-wrk.json"), "serverCpuMicrosPerRequest");
        double fullCpu = num(load("user-trace100-wrk.json"), "serverCpuMicrosPerRequest");
        double offCpu = num(load("user-off-wrk.json"), "serverCpuMicrosPerRequest");
        line("Instrumentation cost (throughput lost against tracing and metrics off): shipped sampling "
             + cost(shippedWrk, offWrk) + " (wrk), " + cost(shippedMax, offMax) + " (open model); 100% sampling "
             + cost(fullWrk, offWrk) + " (wrk), " + cost(fullMax, offMax) + " (open model). In server CPU per request "
             + "under wrk, which other work on the machine disturbs less: shipped " + extra(shippedCpu, offCpu)
             + ", 100% " + extra(fullCpu, offCpu) + ". Target: <= 10% at the shipped rate. Instrumented user >= 50% "
             + "of the ceiling: " + verdict(ratio(shippedWrk, ceilingWrkRate) >= 0.5) + " (wrk), "
             + verdict(ratio(shippedMax, ceilingMax) >= 0.5) + " (open model).");
        JsonObject sink = load("user-shipped-sink.json");
        if (sink != null) {
            line("");
            line("Spans really left the process: the OTLP sink received " + sink.getJsonNumber("exportRequests")
                 + " export requests (" + sink.getJsonNumber("exportBytes") + " bytes) during the shipped-sampling run.");
        }
        line("");
    }

    private void row(String name, JsonObject wrk, JsonObject sat, double ceilingWrk, double ceilingMax, String process) {
        double wrkRate = wrkRate(wrk);
        double max = maxRate(sat);
        JsonObject best = sat == null ? null : sat.getJsonObject("best");
        String lat = "—";
        String cpu = "—";
        if (best != null) {
            JsonObject all = best.getJsonObject("latencyMs").getJsonObject(StepResult.ALL);
            lat = fmt(num(all, "p50"), 2) + " / " + fmt(num(all, "p99"), 2);
            cpu = fmt(cpuPerRequest(best, process), 0);
        }
        cpu = fmt(num(wrk, "serverCpuMicrosPerRequest"), 0) + " / " + cpu;
        String bound = sat == null ? "" : " (" + fmt(num(sat.getJsonObject("settings"), "p99BoundMs"), 0) + " ms)";
        // No failing step: the search stopped at its maximum rate, so the figure is a lower bound.
        String atLeast = sat != null && num(sat, "lowestFailingRatePerSec") < 0 ? ">= " : "";
        line("| " + name + " | " + fmt(wrkRate, 0) + " | " + fmt(ratio(wrkRate, ceilingWrk), 2) + " | "
             + atLeast + fmt(max, 0) + bound + " | " + fmt(ratio(max, ceilingMax), 2) + " | " + lat + " | " + cpu + " | "
             + loadRange(sat) + " |");
    }

    private void orders() throws IOException {
        double ceilingMax = maxRate(load("ceiling-saturate.json"));
        line("### Order placement across user, order and payment (PostgreSQL)");
        line("");
        JsonObject shipped = load("order-shipped-saturate.json");
        JsonObject keepAlive = load("order-keepalive-saturate.json");
        if (shipped == null) {
            line("Not measured in this run (the order and payment services were not built).");
            line("");
            return;
        }
        JsonObject mix = shipped.getJsonObject("scenarioSettings").getJsonObject("mixPercent");
        line("Mix per request: " + mix.getInt("place") + "% place an order (each with its own Idempotency-Key), "
             + mix.getInt("read") + "% read an order, " + mix.getInt("cancel") + "% cancel one (refund through payment). "
             + "Warm-up: " + fmt(num(shipped.getJsonObject("settings"), "warmupSec"), 0) + " s closed loop first.");
        line("");
        line("| services | highest mix rate/s (p99 < " + fmt(num(shipped.getJsonObject("settings"), "p99BoundMs"), 0)
             + " ms) | orders placed/s | × ceiling rate | p50 / p99 ms (all) | p99 ms place | errors | CPU µs per request: user / payment / order / postgres / generator | load average during the search |");
        line("|---|---:|---:|---:|---:|---:|---:|---|---:|");
        orderRow("as shipped", shipped, ceilingMax);
        if (keepAlive != null) {
            orderRow("order's clients keeping connections alive (not shipped: unsafe in Helidon 4.1.2)", keepAlive,
                    ceilingMax);
        }
        line("");
        double placed = placedPerSec(shipped);
        line("Target: >= 1,000 orders/s with p99 < 50 ms on this machine: " + verdict(placed >= 1000)
             + (placed > 0 && placed < 1000 ? String.format(Locale.ROOT, " as shipped (%.1fx short)", 1000 / placed) : "")
             + (keepAlive != null && placedPerSec(keepAlive) > 0 && placedPerSec(keepAlive) < 1000
                ? String.format(Locale.ROOT, ", %.1fx short with keep-alive", 1000 / placedPerSec(keepAlive)) : "")
             + ".");
        line("");
    }

    private void orderRow(String name, JsonObject sat, double ceilingMax) {
        JsonObject best = sat.getJsonObject("best");
        if (best == null) {
            line("| " + name + " | none passed | — | — | — | — | — | — | " + loadRange(sat) + " |");
            return;
        }
        JsonObject lat = best.getJsonObject("latencyMs");
        JsonObject all = lat.getJsonObject(StepResult.ALL);
        JsonObject place = lat.getJsonObject("place");
        StringBuilder cpu = new StringBuilder();
        for (String process : List.of("user", "payment", "order", "postgres", "loadgen")) {
            cpu.append(cpu.length() == 0 ? "" : " / ").append(fmt(cpuPerRequest(best, process), 0));
        }
        line("| " + name + " | " + fmt(maxRate(sat), 0) + " | " + fmt(placedPerSec(sat), 0) + " | "
             + fmt(ratio(maxRate(sat), ceilingMax), 3) + " | " + fmt(num(all, "p50"), 2) + " / " + fmt(num(all, "p99"), 2)
             + " | " + (place == null ? "—" : fmt(num(place, "p99"), 2)) + " | " + best.getJsonNumber("errors")
             + " | " + cpu + " | " + loadRange(sat) + " |");
    }

    private static double placedPerSec(JsonObject sat) {
        JsonObject best = sat == null ? null : sat.getJsonObject("best");
        if (best == null) {
            return 0;
        }
        JsonObject okRates = best.getJsonObject("okPerSecByOperation");
        return okRates.containsKey("place") ? num(okRates, "place") : 0;
    }

    private void startup() throws IOException {
        line("### Start-up to ready (first 200 of `/observe/health/ready`, median ms; PostgreSQL already migrated)");
        line("");
        line("| server | plain JVM | AppCDS | JDK 25 AOT cache | AOT / plain | AOT / ceiling AOT |");
        line("|---|---:|---:|---:|---:|---:|");
        double ceilingAot = medianReady(load("startup-ceiling-aot.json"));
        for (String server : STARTUP_SERVERS) {
            JsonObject plain = load("startup-" + server + "-plain.json");
            if (plain == null) {
                continue;
            }
            double p = medianReady(plain);
            double c = medianReady(load("startup-" + server + "-appcds.json"));
            double a = medianReady(load("startup-" + server + "-aot.json"));
            line("| " + server + " | " + fmt(p, 0) + " | " + fmt(c, 0) + " | " + fmt(a, 0) + " | "
                 + fmt(ratio(a, p), 2) + " | " + fmt(ratio(a, ceilingAot), 2) + " |");
        }
        line("");
        line("Targets: AOT <= 0.5x plain, and <= 1.5x the ceiling's AOT start.");
        line("");
    }

    private void memory() throws IOException {
        line("### Resident memory (VmRSS, MiB) with the JVM options above");
        line("");
        line("| service | idle after start | under the checkout load, as shipped (max) | under the checkout load, keep-alive (max) |");
        line("|---|---:|---:|---:|");
        JsonObject idle = load("order-shipped-rss-idle.json");
        JsonObject shipped = load("order-shipped-saturate.json");
        JsonObject keepAlive = load("order-keepalive-saturate.json");
        for (String service : SERVICES) {
            double idleMiB = idle != null && idle.containsKey(service) ? num(idle.getJsonObject(service), "rssMiB") : Double.NaN;
            if (Double.isNaN(idleMiB)) {
                JsonObject plain = load("startup-" + service + "-plain.json");
                if (plain == null) {
                    continue;
                }
                idleMiB = num(plain, "medianRssIdleMiB");
            }
            line("| " + service + " | " + fmt(idleMiB, 0) + " | " + fmt(maxRss(shipped, service), 0) + " | "
                 + fmt(maxRss(keepAlive, service), 0) + " |");
        }
        line("");
        line("Target: <= 150 MiB per service under load.");
        line("");
    }

    /**
     * The range of the 1-minute load average over a search's steps: on a machine shared with other work, a
     * figure measured at a load average far above 2 (two cores) says more about that work than about ours.
     */
    private static String loadRange(JsonObject sat) {
        if (sat == null) {
            return "—";
        }
        double min = Double.MAX_VALUE;
        double max = 0;
        for (JsonValue step : sat.getJsonArray("steps")) {
            String load = step.asJsonObject().getString("loadAverage", "");
            if (!load.isBlank()) {
                double first = Double.parseDouble(load.split(" ")[0]);
                min = Math.min(min, first);
                max = Math.max(max, first);
            }
        }
        return max == 0 ? "—" : fmt(min, 1) + "–" + fmt(max, 1);
    }

    /** The largest RSS of a process over every step of a saturation search (the load at its heaviest). */
    private static double maxRss(JsonObject sat, String process) {
        if (sat == null) {
            return Double.NaN;
        }
        double max = Double.NaN;
        for (JsonValue step : sat.getJsonArray("steps")) {
            JsonObject rss = step.asJsonObject().getJsonObject("rss");
            if (rss != null && rss.containsKey(process)) {
                double v = num(rss.getJsonObject(process), "maxMiB");
                max = Double.isNaN(max) ? v : Math.max(max, v);
            }
        }
        return max;
    }

    private static double cpuPerRequest(JsonObject step, String process) {
        JsonObject processes = step.getJsonObject("cpu").getJsonObject("processes");
        if (processes == null || !processes.containsKey(process)) {
            return Double.NaN;
        }
        JsonObject p = processes.getJsonObject(process);
        return p.containsKey("cpuMicrosPerRequest") ? num(p, "cpuMicrosPerRequest") : Double.NaN;
    }

    private JsonObject load(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.isRegularFile(file) ? JsonFiles.read(file) : null;
    }

    private static double wrkRate(JsonObject wrk) {
        return wrk == null ? Double.NaN : num(wrk, "requestsPerSec");
    }

    private static double maxRate(JsonObject sat) {
        return sat == null ? Double.NaN : num(sat, "maxRatePerSec");
    }

    private static double medianReady(JsonObject startup) {
        return startup == null ? Double.NaN : num(startup, "medianReadyMs");
    }

    private static double num(JsonObject o, String key) {
        if (o == null || !o.containsKey(key) || !(o.get(key) instanceof JsonNumber n)) {
            return Double.NaN;
        }
        return n.doubleValue();
    }

    static double ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
    }

    private static String cost(double instrumented, double off) {
        double r = ratio(instrumented, off);
        return Double.isNaN(r) ? "—" : String.format(Locale.ROOT, "%.1f%%", (1 - r) * 100);
    }

    /** How much more CPU per request {@code value} costs than {@code base}: "+25%". */
    private static String extra(double value, double base) {
        double r = ratio(value, base);
        return Double.isNaN(r) ? "—" : String.format(Locale.ROOT, "%+.0f%% CPU", (r - 1) * 100);
    }

    private static String verdict(boolean met) {
        return met ? "met" : "**missed**";
    }

    private static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private void line(String text) {
        md.append(text).append('\n');
    }
}
