package io.meshshop.reliability.suites;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.meshshop.reliability.harness.Sampler;
import io.meshshop.reliability.harness.ServiceProcess;
import io.meshshop.reliability.harness.Shop;
import io.meshshop.reliability.load.Api;
import io.meshshop.reliability.load.CheckoutLoad;
import io.meshshop.reliability.load.Customer;
import io.meshshop.reliability.load.Tally;
import io.meshshop.reliability.load.TokenHolder;
import io.meshshop.reliability.load.UserLoad;
import io.meshshop.reliability.proxy.Fault;

/**
 * Suite 7, soak: mixed load for a configurable time (10 minutes by default) behind the mesh imitation, with
 * a trickle of faults that exercise the saga's recovery path (every 40th charge or refund has its answer
 * reset after payment committed; every 25th is 1.5 s slow). Every 10 s each instance's RSS, OS threads and
 * file descriptors, its database sessions, and the window's error count and p99 latency are sampled.
 *
 * <p>After a warm-up (the first fifth), the last third of the run must look like the first third: RSS
 * within 25 % + 32 MiB, threads within +5, file descriptors within +15, sessions within the pool, p99
 * within twice + 100 ms; and no forbidden answer at all. Then everything settles and the checker is clean.
 *
 * <p>Tokens live a third of the soak here (at most the 15 minutes they live in the cluster): a run
 * longer than a token is what proves that clients sign in again before theirs expires, so every customer
 * must have renewed its token at least once, and no call may have been answered 401.
 */
public final class SoakSuite {

    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    /** The user service's token lifetime (auth.token-ttl), which it caps at 15 minutes. */
    private static final String TOKEN_TTL_ENV = "AUTH_TOKEN_dash_TTL";

    private SoakSuite() {
    }

    public static Figures run(Mode mode) {
        Figures figures = new Figures("7 soak");
        Duration soak = mode.soak();
        figures.load("mixed for " + soak.toMinutes() + " min: checkouts (3 clients, ~8/s) + user reads/writes (2 clients)"
                     + " + order reads");
        Duration tokenTtl = tokenTtl(soak);
        try (Shop shop = Shop.start("soak", new Shop.Options().mesh(true).userEnv(TOKEN_TTL_ENV, tokenTtl.toString()))) {
            List<Customer> customers = shop.createCustomers(20);
            Map<String, String> databases = new LinkedHashMap<>();
            shop.users().forEach(p -> databases.put(p.instance(), shop.userDb()));
            shop.orders().forEach(p -> databases.put(p.instance(), shop.orderDb()));
            shop.payments().forEach(p -> databases.put(p.instance(), shop.paymentDb()));
            Sampler sampler = new Sampler(shop.all(), databases, shop.postgres()).start(SAMPLE_EVERY);
            figures.fault("every 40th charge/refund answer reset after commit; every 25th 1.5 s slow");
            shop.toPayment().faults(Fault.resetAfterCommit(40), Fault.delayRequests(25, Duration.ofMillis(1500)));

            CheckoutLoad checkouts = new CheckoutLoad(shop.api(), customers);
            Thread load = Verify.background("soak-checkouts", () -> checkouts.run(new CheckoutLoad.Settings(3, 10_000_000,
                    soak, Duration.ofMillis(300), 6, 12, 3)));
            UserLoad userLoad = new UserLoad(shop.api(), customers).start(2, Duration.ofMillis(300), soak);
            // Reads of orders by user, and the window figures, from this thread.
            List<long[]> windows = new ArrayList<>();
            long start = System.nanoTime();
            Tally window = new Tally();
            Tally reads = new Tally();
            long nextWindow = start + SAMPLE_EVERY.toNanos();
            int i = 0;
            // The trend is judged on a read of constant cost (one order by id); a user's list grows with the
            // run until its cap of 100 orders, which would look like a slowdown that is none.
            Customer prober = customers.getFirst();
            UUID probe = Api.id(shop.api().placeOrder(prober, "rel-soak-probe",
                    Api.orderBody(List.of(new Api.Line("MESH-MUG", 1)))));
            while (System.nanoTime() - start < soak.toNanos()) {
                var answer = i++ % 2 == 0 ? shop.api().getOrder(prober, probe)
                        : shop.api().listOrders(customers.get(i % customers.size()));
                if (i % 2 == 1) {
                    window.record(answer);
                }
                reads.record(answer);
                if (System.nanoTime() >= nextWindow) {
                    windows.add(new long[] {(System.nanoTime() - start) / 1_000_000, window.count(Verify.forbidden(false)),
                            window.percentileMillis(0.99), window.requests()});
                    window = new Tally();
                    nextWindow += SAMPLE_EVERY.toNanos();
                }
                Verify.sleep(Duration.ofMillis(200));
            }
            Verify.join(load, Duration.ofMinutes(3));
            userLoad.stop();
            shop.toPayment().faults();
            sampler.stop();

            Verify.answers(figures, "checkouts", checkouts.tally(), Verify.forbidden(false));
            Verify.answers(figures, "user reads and registrations", userLoad.tally(), Verify.forbidden(false));
            Verify.answers(figures, "order reads (one by id, and customers' own lists)", reads, Verify.forbidden(false));
            Verify.proxies(shop, figures);
            Verify.signIns(shop, figures);
            figures.note("tokens lived " + tokenTtl.toSeconds() + " s (" + TOKEN_TTL_ENV + "), renewed at "
                         + Math.round(100 * TokenHolder.RENEW_AT) + "% of that");
            if (soak.compareTo(tokenTtl) > 0) {
                figures.expect(shop.renewals() >= customers.size(), "the soak outlived the tokens, but the "
                               + customers.size() + " customers renewed theirs only " + shop.renewals() + " times");
            }
            flat(figures, sampler, shop.all(), windows, soak.toMillis());
            Verify.settled(shop, checkouts, figures, Duration.ofSeconds(120));
        } catch (RuntimeException e) {
            figures.expect(false, "suite error: " + e);
            e.printStackTrace();
        }
        figures.finish();
        return figures;
    }

    /** A third of the soak, between 2 and 15 minutes: several renewals per customer in a 10-minute soak. */
    static Duration tokenTtl(Duration soak) {
        Duration third = soak.dividedBy(3);
        Duration min = Duration.ofMinutes(2);
        Duration max = Duration.ofMinutes(15);
        return third.compareTo(min) < 0 ? min : third.compareTo(max) > 0 ? max : third;
    }

    /** Compares the last third of the run with the first third after the warm-up. */
    private static void flat(Figures figures, Sampler sampler, List<ServiceProcess> processes, List<long[]> windows,
                             long runMillis) {
        long warm = runMillis / 5;
        long third = (runMillis - warm) / 3;
        long earlyFrom = warm;
        long earlyTo = warm + third;
        long lateFrom = runMillis - third;
        for (ServiceProcess process : processes) {
            List<Sampler.Sample> early = sampler.samples(process.instance(), earlyFrom, earlyTo);
            List<Sampler.Sample> late = sampler.samples(process.instance(), lateFrom, runMillis + 5_000);
            if (early.isEmpty() || late.isEmpty()) {
                figures.expect(false, "too few samples of " + process.instance() + " to judge the trend");
                continue;
            }
            double rssEarly = Sampler.average(early, Sampler.Sample::rssKb) / 1024;
            double rssLate = Sampler.average(late, Sampler.Sample::rssKb) / 1024;
            long threadsEarly = Sampler.max(early, Sampler.Sample::threads);
            long threadsLate = Sampler.max(late, Sampler.Sample::threads);
            long fdsEarly = Sampler.max(early, Sampler.Sample::fds);
            long fdsLate = Sampler.max(late, Sampler.Sample::fds);
            long sessions = Sampler.max(sampler.samples(process.instance()), Sampler.Sample::dbSessions);
            figures.note(String.format("%s: RSS %.0f -> %.0f MiB, threads %d -> %d, fds %d -> %d, database sessions max %d",
                    process.instance(), rssEarly, rssLate, threadsEarly, threadsLate, fdsEarly, fdsLate, sessions));
            figures.expect(rssLate <= rssEarly * 1.25 + 32, process.instance() + " RSS grew from " + Math.round(rssEarly)
                                                             + " to " + Math.round(rssLate) + " MiB");
            figures.expect(threadsLate <= threadsEarly + 5, process.instance() + " threads grew from " + threadsEarly
                                                            + " to " + threadsLate);
            figures.expect(fdsLate <= fdsEarly + 15, process.instance() + " file descriptors grew from " + fdsEarly
                                                     + " to " + fdsLate);
            figures.expect(sessions <= 11, process.instance() + " database sessions reached " + sessions);
        }
        long errorsEarly = 0;
        long errorsLate = 0;
        List<Long> p99Early = new ArrayList<>();
        List<Long> p99Late = new ArrayList<>();
        for (long[] w : windows) {
            if (w[0] >= earlyFrom && w[0] <= earlyTo) {
                errorsEarly += w[1];
                p99Early.add(w[2]);
            } else if (w[0] >= lateFrom) {
                errorsLate += w[1];
                p99Late.add(w[2]);
            }
        }
        long medianEarly = median(p99Early);
        long medianLate = median(p99Late);
        figures.note("reads of one order per 10 s window: errors " + errorsEarly + " -> " + errorsLate + ", median p99 "
                     + medianEarly + " -> " + medianLate + " ms");
        figures.expect(medianLate <= 2 * medianEarly + 100, "order read latency grew: p99 " + medianEarly + " -> "
                                                            + medianLate + " ms");
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Long::compare);
        return sorted.get(sorted.size() / 2);
    }
}
