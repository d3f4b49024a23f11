package io.meshshop.bench.loadgen;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * The meshshop load generator and the benchmark's other small tools, one command each:
 * <pre>
 *   run         --scenario S [scenario options] --rate R | --rates R1,R2,..  --duration 10s [--warmup 5s] [--out F]
 *   saturate    --scenario S [scenario options] --p99-ms 50 [--start-rate 100 --max-rate 20000 ...] [--out F]
 *   steady      --user-url U --order-url U [--rate 2/s] [--customers 3] [--mix ...] [--window 60s]  (until stopped)
 *   startup     --name N --mode M --ready-url U [--runs 5] [--env K=V]... [--train-scenario S ...] -- COMMAND...
 *   wait-ready  --url U [--timeout 60s]
 *   seed-users  --url U --count N --paths-out F         (customers for wrk: "/api/users/ID TOKEN" per line)
 *   sink        --port 4318 [--stats-out F] [--max-time 3h]
 *   env         --out F [--command C] [--git G] [--note T] [--jvm-options O]
 *   rss         --watch name=pid,... --out F
 *   report      --dir D --out-md F
 * Scenarios: get (--url, --path), read-user (--url, --users), checkout (--user-url, --order-url, --users, --mix);
 * read-user and checkout register and sign in their customers first and renew their tokens in the background.
 * Common: --connections 256 (per base URL), --read-timeout 10s, --connect-timeout 2s, --max-in-flight 10000,
 *         --watch name=pid,... (CPU and RSS of those processes per step); --out - prints the result JSON.
 * </pre>
 * Exit status: 0 done, 1 bad usage or a failure, 3 the load ran but no request (or too few) succeeded.
 */
public final class Main {

    static final int EXIT_NO_SUCCESS = 3;

    private Main() {
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help")) {
            usage();
            return;
        }
        Args args = new Args(argv, 1);
        int status;
        try {
            status = switch (argv[0]) {
                case "run" -> run(args);
                case "saturate" -> saturate(args);
                case "steady" -> Steady.run(args);
                case "startup" -> startup(args);
                case "wait-ready" -> waitReady(args);
                case "seed-users" -> seedUsers(args);
                case "sink" -> sink(args);
                case "env" -> env(args);
                case "rss" -> rss(args);
                case "report" -> report(args);
                default -> throw new IllegalArgumentException("unknown command " + argv[0]);
            };
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            usage();
            status = 1;
        } catch (IllegalStateException e) {
            System.err.println("loadgen: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar loadgen.jar COMMAND [--option value]...
                  run         --scenario S --rate R | --rates R1,R2  --duration 10s [--warmup 5s] [--out F]
                              [--min-ok 1] [--max-error-ratio 1.0]
                  saturate    --scenario S --p99-ms 50 [--start-rate 100] [--max-rate 20000] [--step-duration 10s]
                              [--warmup 10s] [--warmup-concurrency 16 (0: open model at the start rate)]
                              [--max-steps 12] [--precision 0.1] [--max-error-ratio 0.001] [--out F]
                  steady      --user-url U --order-url U [--rate 2/s] [--customers 3] [--max-in-flight 16]
                              [--mix place=50,read=40,cancel=10] [--window 60s]   (runs until stopped)
                  startup     --name N --mode M --ready-url U [--runs 5] [--discard 1] [--settle 2s] [--log F]
                              [--env K=V]... [--train-scenario S --train-rate 50 --train-duration 3s] -- COMMAND...
                  wait-ready  --url U [--timeout 60s]
                  seed-users  --url U --count N --paths-out F
                  sink        --port 4318 [--stats-out F] [--max-time 3h]
                  env         --out F [--command C] [--git G] [--note T] [--jvm-options O]
                  rss         --watch name=pid,... --out F
                  report      --dir D --out-md F
                scenarios: get (--url U [--path /api/ceiling]), read-user (--url U [--users 200]),
                           checkout (--user-url U --order-url U [--users 200] [--mix place=80,read=15,cancel=5]);
                           read-user and checkout register and sign in --users customers first, send each
                           request with its customer's bearer token, and renew the tokens in the background
                common:    --connections 256 --read-timeout 10s --connect-timeout 2s --max-in-flight 10000
                           --watch name=pid,...   (URL options take comma-separated lists: round-robin)
                           --out - prints the result JSON instead of writing a file""");
    }

    /** A short random id, so that the e-mail addresses and keys of two runs on one database never collide. */
    static String runId() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    static Scenario scenario(Args args, String name) {
        String runId = runId();
        return switch (name) {
            case "get" -> new GetScenario(Endpoints.from(args, "url"), args.string("path", "/api/ceiling"));
            case "read-user" -> new ReadUserScenario(Endpoints.from(args, "url"), args.integer("users", 200), runId);
            case "checkout" -> new CheckoutScenario(Endpoints.from(args, "user-url"), Endpoints.from(args, "order-url"),
                    args.integer("users", 200), runId, args.string("mix", "place=80,read=15,cancel=5"));
            default -> throw new IllegalArgumentException("unknown scenario " + name + " (get, read-user, checkout)");
        };
    }

    private static OpenLoop.Limits limits(Args args) {
        Duration readTimeout = args.duration("read-timeout", "10s");
        return new OpenLoop.Limits(args.integer("max-in-flight", 10_000), readTimeout.plusSeconds(2));
    }

    private static JsonObjectBuilder header(String command, Scenario scenario, Watch watch) {
        JsonObjectBuilder pids = Json.createObjectBuilder();
        watch.pids().forEach(pids::add);
        return Json.createObjectBuilder()
                .add("tool", "meshshop-loadgen")
                .add("command", command)
                .add("scenario", scenario.name())
                .add("scenarioSettings", scenario.describe())
                .add("watchedPids", pids)
                .add("finishedAt", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    private static int run(Args args) throws Exception {
        String scenarioName = args.required("scenario");
        List<Double> rates = new ArrayList<>();
        String list = args.string("rates", null);
        if (list != null) {
            for (String r : list.split(",")) {
                rates.add(Double.parseDouble(r.trim()));
            }
        } else {
            rates.add(args.number("rate", 100));
        }
        Duration duration = args.duration("duration", "10s");
        Duration warmup = args.duration("warmup", "0s");
        String out = args.string("out", null);
        long minOk = args.integer("min-ok", 1);
        double maxErrorRatio = args.number("max-error-ratio", 1.0);
        Watch watch = new Watch(args.string("watch", null));
        OpenLoop.Limits limits = limits(args);
        try (Scenario scenario = scenario(args, scenarioName)) {
            args.rejectUnknown();
            scenario.prepare();
            JsonObjectBuilder json = Json.createObjectBuilder();
            if (!warmup.isZero()) {
                OpenLoop.Step warm = OpenLoop.run(scenario, rates.getFirst(), warmup, limits, watch);
                System.out.println("warm-up  " + warm.result().summary());
                json.add("warmup", warm.json());
            }
            JsonArrayBuilder steps = Json.createArrayBuilder();
            int status = 0;
            for (double rate : rates) {
                OpenLoop.Step step = OpenLoop.run(scenario, rate, duration, limits, watch);
                System.out.println(scenarioName + "  " + step.result().summary());
                steps.add(step.json());
                if (step.result().ok() < minOk || step.result().errorRatio() > maxErrorRatio) {
                    System.err.printf("loadgen: step at %.0f/s: %d successful (at least %d wanted), error ratio %.4f"
                                      + " (at most %.4f allowed)%n", rate, step.result().ok(), minOk,
                            step.result().errorRatio(), maxErrorRatio);
                    status = EXIT_NO_SUCCESS;
                }
            }
            JsonObject result = header("run", scenario, watch).addAll(json).add("steps", steps).build();
            writeResult(out, result);
            return status;
        }
    }

    private static int saturate(Args args) throws Exception {
        String scenarioName = args.required("scenario");
        Saturate.Settings settings = new Saturate.Settings(
                args.number("start-rate", 100), args.number("max-rate", 20_000), args.number("p99-ms", 50),
                args.number("max-error-ratio", 0.001), args.duration("step-duration", "10s"),
                args.duration("warmup", "10s"), args.integer("warmup-concurrency", 16), args.duration("cooldown", "3s"),
                args.integer("max-steps", 12),
                args.number("precision", 0.1));
        String out = args.string("out", null);
        Watch watch = new Watch(args.string("watch", null));
        OpenLoop.Limits limits = limits(args);
        try (Scenario scenario = scenario(args, scenarioName)) {
            args.rejectUnknown();
            scenario.prepare();
            JsonObject search = Saturate.search(scenario, settings, limits, watch);
            JsonObject result = header("saturate", scenario, watch).addAll(Json.createObjectBuilder(search)).build();
            writeResult(out, result);
            long ok = 0;
            for (var step : search.getJsonArray("steps")) {
                ok += step.asJsonObject().getJsonNumber("ok").longValue();
            }
            if (ok == 0) {
                System.err.println("loadgen: no request of the search succeeded");
                return EXIT_NO_SUCCESS;
            }
            return 0;
        }
    }

    /** {@code --out F} writes the result to F; {@code --out -} prints it (a Job's log is its only output). */
    private static void writeResult(String out, JsonObject result) throws java.io.IOException {
        if ("-".equals(out)) {
            System.out.println("--- result (JSON) ---");
            System.out.println(JsonFiles.pretty(result));
        } else if (out != null) {
            JsonFiles.write(Path.of(out), result);
        }
    }

    private static int startup(Args args) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : args.all("env")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--env wants NAME=value, got " + kv);
            }
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        String name = args.required("name");
        Startup.Settings settings = new Startup.Settings(name, args.string("mode", "plain"),
                args.required("ready-url"), args.integer("runs", 5), args.integer("discard", 1),
                args.duration("settle", "2s"), args.duration("ready-timeout", "60s"),
                args.duration("stop-timeout", "120s"), new File(args.string("log", "/dev/null")), env);
        String trainScenario = args.string("train-scenario", null);
        Startup.Training training = null;
        Scenario scenario = null;
        if (trainScenario != null) {
            scenario = scenario(args, trainScenario);
            training = new Startup.Training(scenario, args.number("train-rate", 50), args.duration("train-duration", "3s"));
        }
        String out = args.string("out", null);
        args.rejectUnknown();
        try {
            JsonObject result = Startup.measure(args.command(), settings, training);
            writeResult(out, result);
            return 0;
        } finally {
            if (scenario != null) {
                scenario.close();
            }
        }
    }

    private static int waitReady(Args args) throws Exception {
        String url = args.required("url");
        Duration timeout = args.duration("timeout", "60s");
        args.rejectUnknown();
        long start = System.nanoTime();
        long ready = Readiness.awaitReady(url, Duration.ofMillis(20), timeout, null);
        if (ready < 0) {
            System.err.println("loadgen: " + url + " did not answer 200 within " + timeout);
            return 1;
        }
        System.out.printf("%s ready after %.0f ms of waiting%n", url, (ready - start) / 1e6);
        return 0;
    }

    private static int seedUsers(Args args) throws Exception {
        int count = args.integer("count", 100);
        Path pathsOut = Path.of(args.required("paths-out"));
        try (Endpoints users = Endpoints.from(args, "url")) {
            args.rejectUnknown();
            // Each line is a path and the token of the customer it names: wrk reads a user as that user.
            // The tokens last 15 minutes; the harness seeds again before every wrk run that needs them.
            try (Customers customers = Customers.create(users, count, runId())) {
                // Each token is tried once, so that wrk never measures a refused one as speed.
                for (Customers.Customer customer : customers.all()) {
                    Outcome read = users.get("check", "/api/users/" + customer.id(), customer.authorization());
                    if (read.status() != 200) {
                        throw new IllegalStateException(customer + " reading themself answered " + read.key());
                    }
                }
                List<String> lines = customers.all().stream().map(c -> "/api/users/" + c.id() + " " + c.token()).toList();
                Files.write(pathsOut, lines);
                System.out.println("registered and signed in " + lines.size() + " customers; paths and tokens in " + pathsOut);
            }
            return 0;
        }
    }

    private static int sink(Args args) throws Exception {
        int port = args.integer("port", 4318);
        String stats = args.string("stats-out", null);
        Duration maxTime = args.duration("max-time", "3h");
        args.rejectUnknown();
        OtlpSink.serve(port, stats == null ? null : Path.of(stats), maxTime);
        return 0;
    }

    private static int env(Args args) throws Exception {
        Path out = Path.of(args.required("out"));
        JsonObject env = Env.describe(args.string("command", ""), args.string("git", ""), args.string("note", ""),
                args.string("jvm-options", ""));
        args.rejectUnknown();
        JsonFiles.write(out, env);
        return 0;
    }

    private static int rss(Args args) throws Exception {
        Watch watch = new Watch(args.required("watch"));
        Path out = Path.of(args.required("out"));
        args.rejectUnknown();
        JsonObjectBuilder json = Json.createObjectBuilder();
        watch.pids().forEach((name, pid) -> {
            if (!name.equals("loadgen")) {
                json.add(name, Json.createObjectBuilder()
                        .add("pid", pid)
                        .add("rssMiB", Watch.round(Procfs.rssKib(pid) / 1024.0, 1))
                        .add("rssAnonMiB", Watch.round(Procfs.statusField(pid, "RssAnon:") / 1024.0, 1))
                        .add("rssFileMiB", Watch.round(Procfs.statusField(pid, "RssFile:") / 1024.0, 1))
                        .add("hwmMiB", Watch.round(Procfs.statusField(pid, "VmHWM:") / 1024.0, 1)));
            }
        });
        JsonFiles.write(out, json.build());
        return 0;
    }

    private static int report(Args args) throws Exception {
        Path dir = Path.of(args.required("dir"));
        Path md = Path.of(args.required("out-md"));
        args.rejectUnknown();
        Files.writeString(md, Report.markdown(dir));
        System.out.println("wrote " + md);
        return 0;
    }
}
