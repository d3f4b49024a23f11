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
    /** The processes a checkout's CPU is summed over (issue 17's target of 2.5 ms per order). */
    static final List<String> CHECKOUT_PROCESSES = List.of("user", "order", "payment", "postgres");
    /** Issue 17: at least this many orders placed per second with p99 under 50 ms, open model. */
    static final double TARGET_ORDERS_PER_SEC = 400;

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
        JsonObject dbCeilingWrk = load("ceiling-db-wrk.json");
        Ceilings ceilings = new Ceilings(wrkRate(ceilingWrk), maxRate(ceilingSat), wrkRate(dbCeilingWrk));
        double ceilingWrkRate = ceilings.wrk();
        double ceilingMax = ceilings.openModel();
        line("### Requests: `GET /api/users/{id}` against the ceiling (`GET /api/ceiling`, fixed JSON) and the database ceiling");
        line("");
        line("wrk is a closed loop (its own latency figures suffer from coordinated omission; only its throughput is "
             + "used). The load generator is an open model: the highest constant arrival rate whose p99, measured from "
             + "each request's intended start, stays under the bound with at most 0.1% errors. The database ceiling is "
             + "the ceiling server reading the requested customer's row of user's `users` table by primary key (HikariCP, "
             + "a plain `PreparedStatement`, JSON written by hand, no token check), measured with wrk only, over the same "
             + "paths and with the same JVM options as user.");
        line("");
        line("| server | wrk req/s | × ceiling | × database ceiling | open-model max rate/s (p99 bound) | × ceiling | p50 / p99 ms at that rate | server CPU µs/request (wrk / open model) | load average during the search |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        row("ceiling (Helidon, one route)", ceilingWrk, ceilingSat, ceilings, "ceiling");
        if (dbCeilingWrk != null) {
            row("database ceiling (Helidon, HikariCP, one row by primary key)", dbCeilingWrk, null, ceilings, "ceiling");
        }
        row("user, as shipped (tracing 10% to OTLP sink, metrics on)", load("user-shipped-wrk.json"),
                load("user-shipped-saturate.json"), ceilings, "user");
        row("user, tracing 100%", load("user-trace100-wrk.json"), load("user-trace100-saturate.json"), ceilings, "user");
        row("user, tracing and metrics off", load("user-off-wrk.json"), load("user-off-saturate.json"), ceilings, "user");
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
             + ", 100% " + extra(fullCpu, offCpu) + ". Target: <= 10% at the shipped rate.");
        databaseCeiling(shippedWrk, ceilings.database(), shippedCpu, fullCpu, offCpu, num(dbCeilingWrk, "serverCpuMicrosPerRequest"));
        JsonObject sink = load("user-shipped-sink.json");
        if (sink != null) {
            line("");
            line("Spans really left the process: the OTLP sink received " + sink.getJsonNumber("exportRequests")
                 + " export requests (" + sink.getJsonNumber("exportBytes") + " bytes) during the shipped-sampling run.");
        }
        line("");
    }

    /** The reference rates of one run: the fixed-body ceiling (wrk, open model) and the database ceiling (wrk). */
    private record Ceilings(double wrk, double openModel, double database) {
    }

    /**
     * Issue 17's target for the read, and what user costs on top of the database ceiling. The route answers only a
     * signed-in customer, so no read without a token can be measured: the CPU difference is the whole overhead
     * (token check, DbClient, observability, routing, JSON), the token check's share included but not separable.
     */
    private void databaseCeiling(double shippedWrk, double dbWrk, double shippedCpu, double fullCpu, double offCpu,
                                 double dbCpu) {
        if (Double.isNaN(dbWrk)) {
            return;
        }
        line("");
        double share = ratio(shippedWrk, dbWrk);
        line("Target: user as shipped, signed in (bearer token), >= 0.85 of the database ceiling (wrk): "
             + verdict(share >= 0.85) + " (" + fmt(share, 2) + ").");
        line("");
        line("Cost on top of the database ceiling, in server CPU per request under wrk (database ceiling "
             + fmt(dbCpu, 0) + " µs): as shipped " + plusMicros(shippedCpu, dbCpu) + ", tracing 100% "
             + plusMicros(fullCpu, dbCpu) + ", tracing and metrics off " + plusMicros(offCpu, dbCpu) + ". The route "
             + "answers only a signed-in customer, so a read without a token cannot be measured: these differences are "
             + "the service's whole overhead over the database ceiling, the token check (verified tokens cached by "
             + "`BearerTokens` until they expire) included.");
    }

    private static String plusMicros(double value, double base) {
        return Double.isNaN(value) || Double.isNaN(base) ? "—"
                : String.format(Locale.ROOT, "%+,.0f µs (%s)", value - base, extra(value, base).replace(" CPU", ""));
    }

    private void row(String name, JsonObject wrk, JsonObject sat, Ceilings ceilings, String process) {
        double ceilingWrk = ceilings.wrk();
        double ceilingMax = ceilings.openModel();
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
             + fmt(ratio(wrkRate, ceilings.database()), 2) + " | " + atLeast + fmt(max, 0) + bound + " | "
             + fmt(ratio(max, ceilingMax), 2) + " | " + lat + " | " + cpu + " | "
             + loadRange(sat) + " |");
    }

    private void orders() throws IOException {
        double ceilingMax = maxRate(load("ceiling-saturate.json"));
        line("### Order placement across user, order and payment (PostgreSQL)");
        line("");
        JsonObject shipped = load("order-shipped-saturate.json");
        JsonObject tiered = load("order-tiered-saturate.json");
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
             + " ms) | orders placed/s | × ceiling rate | p50 / p99 ms (all) | p99 ms place | errors | CPU µs per request: user / payment / order / postgres / generator | machine CPU busy at that rate | load average during the search |");
        line("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        orderRow("as shipped (C1 JIT only)", shipped, ceilingMax);
        if (tiered != null) {
            orderRow("full tiered JIT (C2), same memory budget", tiered, ceilingMax);
        }
        line("");
        double placed = placedPerSec(shipped);
        line("Target: >= " + fmt(TARGET_ORDERS_PER_SEC, 0) + " orders/s with p99 < 50 ms (open model) on this machine: "
             + verdict(placed >= TARGET_ORDERS_PER_SEC)
             + (placed > 0 && placed < TARGET_ORDERS_PER_SEC
                ? String.format(Locale.ROOT, " as shipped (%.1fx short)", TARGET_ORDERS_PER_SEC / placed) : "")
             + (tiered != null && placedPerSec(tiered) > 0
                ? String.format(Locale.ROOT, "; with C2 %.0f orders/s (%s)", placedPerSec(tiered),
                        placedPerSec(tiered) >= TARGET_ORDERS_PER_SEC ? "met" : "missed")
                : "")
             + ".");
        line("");
        line("The machine's CPU busy share (both cores, all processes) at the best rate says what stopped the search: well "
             + "below 100%, the p99 bound did, not the CPU.");
        line("");
        checkoutWrk("checkout-wrk", "as shipped, C1 JIT only", true);
        checkoutWrk("checkout-wrk-tiered", "full tiered JIT (C2), same memory budget", false);
    }

    /**
     * The closed-loop checkout: wrk placing orders as fast as the services answer them, with the CPU each process
     * spent per placed order and PostgreSQL's own counts per order. wrk's CPU per order is shown beside the
     * open-model generator's CPU per request: what the generator takes from the servers on two cores.
     */
    private void checkoutWrk(String file, String variant, boolean postgresCounts) throws IOException {
        JsonObject wrk = load(file + ".json");
        if (wrk == null) {
            return;
        }
        line("### Checkout, closed loop: wrk placing orders (" + variant + ")");
        line("");
        line("wrk -t1 -c" + wrk.getInt("connections", 0) + " for " + fmt(num(wrk, "durationSec"), 0) + " s, every request "
             + "`POST /api/orders` by a random signed-in customer (bearer token) with a fresh Idempotency-Key, after the "
             + "search above (warm JVMs). A closed loop: its throughput is what the services sustain when the generator "
             + "costs little, with no latency bound; wrk's latency suffers from coordinated omission and is shown only "
             + "as a hint. CPU from `/proc` over the wrk run; `postgres` is the PostgreSQL backends connected to the "
             + "run's three databases (the services' pools); every postgres process of the server, which is shared with "
             + "other work on this machine, is shown apart and not summed.");
        line("");
        JsonObject cpu = wrk.getJsonObject("cpuMicrosPerOrder");
        double orders = num(wrk, "orders");
        double perSec = orders / num(wrk, "durationSec");
        JsonObject latency = wrk.getJsonObject("latencyMs");
        double sum = 0;
        StringBuilder shares = new StringBuilder();
        for (String process : CHECKOUT_PROCESSES) {
            sum += cpu == null ? Double.NaN : num(cpu, process);
        }
        for (String process : CHECKOUT_PROCESSES) {
            double v = cpu == null ? Double.NaN : num(cpu, process);
            shares.append(shares.length() == 0 ? "" : " / ").append(fmt(v, 0)).append(" (")
                    .append(fmt(100 * ratio(v, sum), 0)).append("%)");
        }
        line("| generator | orders/s | p50 / p99 ms (wrk, closed loop) | non-2xx | CPU µs per order: user / order / payment / postgres backends (share) | sum, ms per order | all postgres processes, µs per order | wrk CPU µs per order | load average after |");
        line("|---|---:|---:|---:|---|---:|---:|---:|---:|");
        line("| wrk, " + wrk.getInt("connections", 0) + " connections | " + fmt(perSec, 0) + " | "
             + fmt(num(latency, "p50"), 2) + " / " + fmt(num(latency, "p99"), 2) + " | "
             + fmt(num(wrk.getJsonObject("errors"), "status"), 0) + " | " + shares + " | " + fmt(sum / 1000, 2) + " | "
             + fmt(cpu == null ? Double.NaN : num(cpu, "postgresAll"), 0) + " | "
             + fmt(cpu == null ? Double.NaN : num(cpu, "wrk"), 0) + " | " + wrk.getString("loadAverage", "—") + " |");
        line("");
        line("Target: a checkout costs at most 2.5 ms of CPU summed over user, order, payment and PostgreSQL: "
             + verdict(sum / 1000 <= 2.5) + " (" + fmt(sum / 1000, 2) + " ms).");
        line("");
        if (postgresCounts) {
            postgresPerOrder(load(file + "-pg.json"), orders);
        }
    }

    /** pg_stat_database and pg_stat_statements deltas over the wrk run, per placed order. */
    private void postgresPerOrder(JsonObject pg, double orders) {
        if (pg == null || orders <= 0) {
            return;
        }
        boolean statements = pg.getBoolean("pgStatStatements", false) && pg.get("statements") instanceof jakarta.json.JsonArray;
        line("PostgreSQL per placed order over the same wrk run (deltas of `pg_stat_database`"
             + (statements ? " and `pg_stat_statements`" : "; `pg_stat_statements` is not preloaded by this server, so "
                                                          + "statements are not counted")
             + "; counters of the run's own databases only, nothing reset):");
        line("");
        line("| database | statements | transactions committed | rolled back | rows fetched | inserted | updated | deleted |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|");
        JsonObject databases = pg.getJsonObject("databases");
        double[] total = new double[7];
        for (String service : List.of("user", "order", "payment")) {
            String name = databases == null ? null : databases.keySet().stream()
                    .filter(k -> k.endsWith("_" + service)).findFirst().orElse(null);
            if (name == null) {
                continue;
            }
            JsonObject d = databases.getJsonObject(name);
            double[] v = {statements ? callsOf(pg, name) : Double.NaN, num(d, "xactCommit"), num(d, "xactRollback"),
                          num(d, "tupFetched"), num(d, "tupInserted"), num(d, "tupUpdated"), num(d, "tupDeleted")};
            StringBuilder cells = new StringBuilder("| " + service);
            for (int i = 0; i < v.length; i++) {
                total[i] += v[i];
                cells.append(" | ").append(fmt(v[i] / orders, 2));
            }
            line(cells + " |");
        }
        StringBuilder cells = new StringBuilder("| **all three**");
        for (double v : total) {
            cells.append(" | ").append(fmt(v / orders, 2));
        }
        line(cells + " |");
        line("");
        if (statements) {
            line("Statements per placed order (most called first; `BEGIN` counts as a statement, and so does `COMMIT` where "
                 + "`pg_stat_statements` lists it; the commits are in the transactions column above):");
            line("");
            line("| database | calls per order | ms per order | statement |");
            line("|---|---:|---:|---|");
            for (JsonValue value : pg.getJsonArray("statements")) {
                JsonObject st = value.asJsonObject();
                double calls = num(st, "calls") / orders;
                if (calls < 0.05) {
                    continue;
                }
                String query = st.getString("query", "");
                line("| " + st.getString("database", "?").replaceFirst(".*_", "") + " | " + fmt(calls, 2) + " | "
                     + fmt(num(st, "ms") / orders, 3) + " | `" + (query.length() > 120 ? query.substring(0, 117) + "..." : query)
                             .replace("|", "\\|").replace("`", "'") + "` |");
            }
            line("");
        }
    }

    private static double callsOf(JsonObject pg, String database) {
        double calls = 0;
        for (JsonValue value : pg.getJsonArray("statements")) {
            JsonObject st = value.asJsonObject();
            if (database.equals(st.getString("database", ""))) {
                calls += num(st, "calls");
            }
        }
        return calls;
    }

    private void orderRow(String name, JsonObject sat, double ceilingMax) {
        JsonObject best = sat.getJsonObject("best");
        if (best == null) {
            line("| " + name + " | none passed | — | — | — | — | — | — | — | " + loadRange(sat) + " |");
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
             + " | " + cpu + " | " + fmt(num(best.getJsonObject("cpu"), "machineBusyPercent"), 0) + "% | " + loadRange(sat) + " |");
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
        line("Target: with the AOT cache, ready in at most 2x the AOT-cached ceiling (issue 17).");
        line("");
    }

    private void memory() throws IOException {
        line("### Resident memory (VmRSS, MiB) with the JVM options above");
        line("");
        JsonObject idle = load("order-shipped-rss-idle.json");
        JsonObject shipped = load("order-shipped-saturate.json");
        JsonObject shippedAfter = load("order-shipped-rss-after.json");
        JsonObject tiered = load("order-tiered-saturate.json");
        JsonObject tieredAfter = load("order-tiered-rss-after.json");
        line("| service | idle after start | under the checkout search, as shipped (max) | after the wrk checkout, as shipped |"
             + (tiered == null ? "" : " under the checkout search, C2 (max) | after the wrk checkout, C2 |"));
        line("|---|---:|---:|---:|" + (tiered == null ? "" : "---:|---:|"));
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
                 + fmt(rssOf(shippedAfter, service), 0) + " |"
                 + (tiered == null ? "" : " " + fmt(maxRss(tiered, service), 0) + " | " + fmt(rssOf(tieredAfter, service), 0)
                                          + " |"));
        }
        line("");
        line("Target: <= 192 MiB per service under the checkout load (issue 17).");
        line("");
    }

    /** One RSS sample of {@code service} (loadgen rss), NaN when not measured. */
    private static double rssOf(JsonObject sample, String service) {
        return sample != null && sample.containsKey(service) ? num(sample.getJsonObject(service), "rssMiB") : Double.NaN;
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
