package io.meshshop.reliability.suites;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.meshshop.reliability.harness.Sampler;
import io.meshshop.reliability.harness.ServiceProcess;
import io.meshshop.reliability.harness.Shop;
import io.meshshop.reliability.load.CheckoutLoad;
import io.meshshop.reliability.load.Customer;
import io.meshshop.reliability.proxy.Fault;

/**
 * Suite 4, slow dependency: the proxy between order and payment adds latency to every charge and refund,
 * holds every 5th request for 8 s before delivering it (a stall: the request still arrives, late), and
 * holds every 7th answer for 6 s after payment committed. Twice: on the bare network (order's own client
 * timeouts, payment.service.timeout connect 1 s / read 3 s) and behind the mesh (the proxy acts as Envoy
 * with mesh/payment-timeouts-and-retries.yaml route charges-and-refunds: perTryTimeout 1s, timeout 2s,
 * one retry on gateway-error).
 *
 * <p>Order must answer every placement within its budget (the ingress route order-writes allows one try
 * of 5 s: mesh/ingress-public-api-routes.yaml) with 201 or 202, its threads, file descriptors and database
 * sessions must not pile up, and recovery settles the orders later with exactly one capture each.
 */
public final class SlowDependencySuite {

    /** The ingress route's per-try timeout for writes: an answer slower than this would be retried by Envoy. */
    private static final long ORDER_BUDGET_MS = 5_000;

    private SlowDependencySuite() {
    }

    public static Figures run(Mode mode) {
        Figures figures = new Figures("4 slow dependency");
        Duration phase = Duration.ofSeconds(mode.quick() ? 25 : 45);
        figures.load("2 phases x " + phase.toSeconds() + " s of checkouts, 6 clients, every 5th cancelled");
        try (Shop shop = Shop.start("slow", new Shop.Options().mesh(false))) {
            List<Customer> customers = shop.createCustomers(10);
            ServiceProcess order = shop.orders().getFirst();
            Sampler sampler = new Sampler(List.of(order), Map.of(order.instance(), shop.orderDb()), shop.postgres());
            Verify.sleep(Duration.ofSeconds(2));
            sampler.sampleNow();
            Sampler.Sample baseline = sampler.samples(order.instance()).getLast();
            figures.note("order at rest: " + baseline.threads() + " threads, " + baseline.fds() + " fds, "
                         + baseline.dbSessions() + " database sessions, " + baseline.rssKb() / 1024 + " MiB RSS");
            sampler.start(Duration.ofSeconds(1));

            CheckoutLoad load = new CheckoutLoad(shop.api(), customers);
            CheckoutLoad.Settings settings = new CheckoutLoad.Settings(6, 100_000, phase, Duration.ofMillis(50), 5, 0, 3);
            figures.fault("payment +300 ms on every call, every 5th held 8 s before delivery, every 7th answer held 6 s");
            shop.toPayment().faults(Fault.delayRequests(5, Duration.ofSeconds(8)), Fault.holdResponses(7, Duration.ofSeconds(6)),
                    Fault.delayRequests(1, Duration.ofMillis(300)));
            load.run(settings);
            figures.note("bare network: " + shop.toPayment().describe());
            long slowBare = load.tally().count(label -> true);
            figures.fault("the same behind the mesh (perTryTimeout 1s, timeout 2s, 1 retry)");
            shop.mesh(true);
            shop.toPayment().resetCounters();
            shop.ingress().resetCounters();
            shop.toPayment().faults(Fault.delayRequests(5, Duration.ofSeconds(8)), Fault.holdResponses(7, Duration.ofSeconds(6)),
                    Fault.delayRequests(1, Duration.ofMillis(300)));
            load.run(settings);
            figures.note("behind the mesh: " + shop.toPayment().describe() + " (client answers in this phase: "
                         + (load.tally().requests() - slowBare) + ")");
            shop.toPayment().faults();
            long loadEnd = sampler.elapsedMillis();

            Verify.answers(figures, "checkouts", load.tally(), Verify.forbidden(false));
            long slow = load.ledger().stream().filter(p -> p.accepted()).count();
            figures.expect(load.tally().maxMillis() <= ORDER_BUDGET_MS, "order took " + load.tally().maxMillis()
                           + " ms for an answer; the ingress route's per-try budget is " + ORDER_BUDGET_MS + " ms");
            figures.note("ingress in the mesh phase (Envoy imitation of order-writes): " + shop.ingress().describe());
            figures.expect(shop.ingress().counters().perTryTimeouts.get() == 0,
                    "the ingress timed out on order " + shop.ingress().counters().perTryTimeouts + " times");
            long pending = load.ledger().stream().filter(p -> p.acceptedWith() == 202).count();
            figures.note("accepted " + slow + " orders, " + pending + " of them PENDING (202) for recovery to settle");

            Verify.signIns(shop, figures);
            Verify.settled(shop, load, figures, Duration.ofSeconds(120));
            Verify.sleep(Duration.ofSeconds(3));
            sampler.stop();
            sampler.sampleNow();
            List<Sampler.Sample> during = sampler.samples(order.instance(), 0, loadEnd);
            Sampler.Sample after = sampler.samples(order.instance()).getLast();
            long maxThreads = Sampler.max(during, Sampler.Sample::threads);
            long maxFds = Sampler.max(during, Sampler.Sample::fds);
            long maxSessions = Sampler.max(during, Sampler.Sample::dbSessions);
            figures.note("order under the slow dependency: max " + maxThreads + " threads, " + maxFds + " fds, "
                         + maxSessions + " database sessions; afterwards " + after.threads() + " threads, " + after.fds()
                         + " fds, " + after.dbSessions() + " sessions");
            // Requests run on virtual threads: OS threads must stay near the resting count, whatever waits.
            figures.expect(maxThreads <= baseline.threads() + 20, "OS threads piled up: " + maxThreads + " (at rest "
                                                                  + baseline.threads() + ")");
            figures.expect(maxFds <= baseline.fds() + 80, "file descriptors piled up: " + maxFds + " (at rest "
                                                          + baseline.fds() + ")");
            figures.expect(after.fds() <= baseline.fds() + 15, "file descriptors not released after the load: "
                                                               + after.fds() + " (at rest " + baseline.fds() + ")");
            figures.expect(maxSessions <= 12, "database sessions beyond the pool of 10 (+ the sampler's own): " + maxSessions);
        } catch (RuntimeException e) {
            figures.expect(false, "suite error: " + e);
            e.printStackTrace();
        }
        figures.finish();
        return figures;
    }
}
