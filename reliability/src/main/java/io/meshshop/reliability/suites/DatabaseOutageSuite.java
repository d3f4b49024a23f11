package io.meshshop.reliability.suites;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.meshshop.reliability.harness.Postgres;
import io.meshshop.reliability.harness.ServiceProcess;
import io.meshshop.reliability.harness.Shop;
import io.meshshop.reliability.load.Answer;
import io.meshshop.reliability.load.Api;
import io.meshshop.reliability.load.CheckoutLoad;
import io.meshshop.reliability.load.Customer;
import io.meshshop.reliability.load.Tally;
import io.meshshop.reliability.load.UserLoad;

/**
 * Suite 3, database outage, under a checkout and a user load: the suite's own databases stop taking
 * connections and lose their sessions ({@code ALLOW_CONNECTIONS false} + {@code pg_terminate_backend}),
 * first all three, then payment's alone, then order's alone; with {@code --pg-restart} the whole PostgreSQL
 * cluster is also stopped and started (always started again, even if the suite fails).
 *
 * <p>During each outage readiness must turn false, and every request straight to an affected service must
 * be a 503 problem with Retry-After within a few seconds (never a hang, never a 500); afterwards every
 * service is ready again without a restart (same process) and recovery settles what the outage left.
 */
public final class DatabaseOutageSuite {

    /** The pool waits 2 s for a connection (db.pool.timeout); an answer later than this is a hang. */
    private static final long MAX_OUTAGE_ANSWER_MS = 5_000;

    private DatabaseOutageSuite() {
    }

    public static Figures run(Mode mode) {
        Figures figures = new Figures("3 database outage");
        Duration outage = Duration.ofSeconds(mode.quick() ? 6 : 10);
        try (Shop shop = Shop.start("outage", new Shop.Options().mesh(true))) {
            List<Customer> customers = shop.createCustomers(10);
            Map<String, Long> pids = new LinkedHashMap<>();
            shop.all().forEach(p -> pids.put(p.instance(), p.pid()));
            CheckoutLoad checkouts = new CheckoutLoad(shop.api(), customers);
            Duration loadTime = Duration.ofSeconds(mode.quick() ? 50 : 100 + (mode.pgRestart() ? 30 : 0));
            figures.load("checkouts (3 clients) and user reads/writes (2 clients) for " + loadTime.toSeconds() + " s");
            Thread running = Verify.background("outage-load", () -> checkouts.run(new CheckoutLoad.Settings(3, 100_000,
                    loadTime, Duration.ofMillis(100), 5, 10, 3)));
            UserLoad userLoad = new UserLoad(shop.api(), customers).start(2, Duration.ofMillis(100), loadTime);
            Tally probes = new Tally();
            Api direct = new Api("unused", "unused", Duration.ofSeconds(15));

            Verify.sleep(Duration.ofSeconds(5));
            outage(shop, figures, probes, direct, customers.getFirst(), outage, "all three databases",
                    List.of(shop.userDb(), shop.orderDb(), shop.paymentDb()), shop.all());
            Verify.sleep(Duration.ofSeconds(8));
            outage(shop, figures, probes, direct, customers.getFirst(), outage, "payment's database",
                    List.of(shop.paymentDb()), shop.payments());
            Verify.sleep(Duration.ofSeconds(8));
            outage(shop, figures, probes, direct, customers.getFirst(), outage, "order's database",
                    List.of(shop.orderDb()), shop.orders());
            if (mode.pgRestart()) {
                Verify.sleep(Duration.ofSeconds(8));
                figures.fault("PostgreSQL cluster stopped 8 s and started");
                try {
                    Postgres.restartCluster(Duration.ofSeconds(8));
                } catch (java.io.IOException e) {
                    figures.expect(false, "PostgreSQL restart failed: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                figures.expect(awaitReady(shop.all(), Duration.ofSeconds(60)),
                        "not every service was ready within 60 s of PostgreSQL's restart");
            }
            Verify.join(running, loadTime.plusSeconds(120));
            userLoad.stop();

            for (ServiceProcess process : shop.all()) {
                figures.expect(pids.get(process.instance()) == process.pid() && process.alive(),
                        process.instance() + " was restarted or died; it should recover by itself");
            }
            Verify.answers(figures, "checkouts", checkouts.tally(), Verify.forbidden(false));
            Verify.answers(figures, "user reads and registrations", userLoad.tally(), Verify.forbidden(false));
            figures.requests(probes.requests());
            figures.note("direct probes during the outages: " + probes.byLabel() + ", max " + probes.maxMillis() + " ms");
            Verify.proxies(shop, figures);
            Verify.signIns(shop, figures);
            Verify.settled(shop, checkouts, figures, Duration.ofSeconds(90));
            long registered = userLoad.registeredKeys().size();
            figures.note("user registrations answered 201: " + registered);
        } catch (RuntimeException e) {
            figures.expect(false, "suite error: " + e);
            e.printStackTrace();
        }
        figures.finish();
        return figures;
    }

    /**
     * Blocks {@code databases} for {@code duration}, probing the {@code affected} instances directly
     * meanwhile, then unblocks them and waits until every instance is ready again.
     */
    private static void outage(Shop shop, Figures figures, Tally probes, Api direct, Customer someone, Duration duration,
                               String what, List<String> databases, List<ServiceProcess> affected) {
        figures.fault(what + " blocked " + duration.toSeconds() + " s");
        Map<String, Boolean> wentUnready = new ConcurrentHashMap<>();
        List<String> badProbes = new ArrayList<>();
        for (String database : databases) {
            shop.postgres().allowConnections(database, false);
        }
        long start = System.nanoTime();
        try {
            // One prober per instance, side by side: a probe may take the pool's 2 s to be refused.
            List<Thread> probers = new ArrayList<>();
            for (ServiceProcess process : affected) {
                probers.add(Thread.ofVirtual().start(() -> {
                    // Give the pool a moment to notice its sessions are gone before judging answers.
                    Verify.sleep(Duration.ofMillis(500));
                    while (System.nanoTime() - start < duration.toNanos()) {
                        if (process.readiness() != 200) {
                            wentUnready.put(process.instance(), true);
                        }
                        Answer answer = probe(direct, process, someone);
                        probes.record(answer);
                        boolean honest = answer.status() == 503 && answer.problem() && answer.retryAfter() != null
                                         && answer.millis() <= MAX_OUTAGE_ANSWER_MS;
                        if (!honest) {
                            synchronized (badProbes) {
                                badProbes.add(process.instance() + " " + answer.label() + " in " + answer.millis() + " ms"
                                              + (answer.retryAfter() == null ? " without Retry-After" : ""));
                            }
                        }
                        Verify.sleep(Duration.ofMillis(300));
                    }
                }));
            }
            for (Thread prober : probers) {
                Verify.join(prober, duration.plusSeconds(20));
            }
        } finally {
            for (String database : databases) {
                shop.postgres().allowConnections(database, true);
            }
        }
        long upAgain = System.nanoTime();
        boolean ready = awaitReady(shop.all(), Duration.ofSeconds(30));
        figures.note(what + ": readiness false (503, or no answer within the kubelet's 1 s) on " + wentUnready.keySet() + "; ready again "
                     + (ready ? "in " + (System.nanoTime() - upAgain) / 1_000_000 + " ms" : "NOT within 30 s")
                     + "; probes that were not a prompt 503 problem with Retry-After: " + badProbes.size());
        badProbes.stream().limit(5).forEach(line -> figures.note("  " + line));
        figures.failures(badProbes.size());
        for (ServiceProcess process : affected) {
            figures.expect(wentUnready.containsKey(process.instance()), process.instance()
                           + " stayed ready while its database was down (" + what + ")");
        }
        figures.expect(ready, "not every service was ready within 30 s after " + what + " came back");
    }

    /**
     * One request that needs the instance's own database, as a signed-in customer where the route wants one:
     * the token is checked without the database (user has its own keys, order the JWKS it fetched), so the
     * answer is about the database.
     */
    private static Answer probe(Api direct, ServiceProcess process, Customer someone) {
        return switch (process.service()) {
            case "user" -> direct.send("GET", process.url() + "/api/users/" + someone.id(), null, null, someone.bearer());
            case "order" -> direct.send("GET", process.url() + "/api/orders", null, null, someone.bearer());
            default -> direct.send("POST", process.url() + "/api/payments", "probe-" + UUID.randomUUID(),
                    "{\"orderId\":\"" + UUID.randomUUID() + "\",\"userId\":\"" + someone.id()
                    + "\",\"amountMinor\":100,\"currency\":\"EUR\"}");
        };
    }

    private static boolean awaitReady(List<ServiceProcess> processes, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (processes.stream().allMatch(p -> p.readiness() == 200)) {
                return true;
            }
            Verify.sleep(Duration.ofMillis(250));
        }
        return false;
    }
}
