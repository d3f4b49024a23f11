package io.meshshop.reliability.suites;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.meshshop.reliability.harness.Shop;
import io.meshshop.reliability.load.CheckoutLoad;
import io.meshshop.reliability.proxy.Fault;

/**
 * Suite 1, duplicate delivery. Checkouts while the proxies deliver mutating requests twice and drop
 * answers after the upstream committed, in four phases:
 * <ol>
 *     <li>every write delivered twice, one after the other: client to order (placements, cancels) and order
 *     to payment (charges, refunds), and every user registration;</li>
 *     <li>every write delivered twice at once (the second copy races the first);</li>
 *     <li>every 2nd charge or refund committed at payment and its answer replaced by a reset, and every 3rd
 *     placement committed at order and its answer reset (bare network: no mesh retry);</li>
 *     <li>the same resets behind the mesh: the proxy retries like Envoy with
 *     mesh/payment-timeouts-and-retries.yaml route charges-and-refunds (retryOn gateway-error counts a reset)
 *     and mesh/ingress-public-api-routes.yaml route order-writes.</li>
 * </ol>
 * Then: zero double charges, every accepted order settles, no duplicate order or user for one key, and
 * the consistency checker finds nothing.
 */
public final class DuplicateDeliverySuite {

    private DuplicateDeliverySuite() {
    }

    public static Figures run(Mode mode) {
        Figures figures = new Figures("1 duplicate delivery");
        int perPhase = mode.quick() ? 24 : 120;
        figures.load("4 phases x " + perPhase + " checkouts, 4 clients, every 4th cancelled, every 10th declined");
        try (Shop shop = Shop.start("dup", new Shop.Options().mesh(false))) {
            // Registrations delivered twice: one user per key.
            shop.ingressUser().faults(Fault.duplicateEveryWrite());
            List<UUID> users = shop.createUsers(mode.quick() ? 5 : 20);
            long userRows = shop.postgres().count(shop.userDb(), "SELECT COUNT(*) FROM users");
            figures.expect(userRows == users.size(), "registrations delivered twice made " + userRows + " users for "
                                                     + users.size() + " keys");
            figures.note("user registrations delivered twice: " + users.size() + " keys, " + userRows + " users");
            shop.ingressUser().faults();

            CheckoutLoad load = new CheckoutLoad(shop.api(), users);
            CheckoutLoad.Settings phase = new CheckoutLoad.Settings(4, perPhase, Duration.ofSeconds(mode.quick() ? 60 : 180),
                    Duration.ofMillis(20), 4, 10, 4);

            figures.fault("every write delivered twice (client->order, order->payment, ->user)");
            shop.ingress().faults(Fault.duplicateEveryWrite());
            shop.toPayment().faults(Fault.duplicateEveryWrite());
            runPhase(load, phase, perPhase, shop);
            figures.note("phase 1 duplicates: " + shop.ingress().describe() + " | " + shop.toPayment().describe());

            figures.fault("every write delivered twice at once");
            shop.ingress().faults(Fault.duplicateConcurrently(1));
            shop.toPayment().faults(Fault.duplicateConcurrently(1));
            runPhase(load, phase, 2 * perPhase, shop);
            figures.note("phase 2 concurrent duplicates: " + shop.ingress().describe() + " | " + shop.toPayment().describe());

            figures.fault("answer reset after commit: every 2nd charge/refund, every 3rd placement (bare network)");
            shop.ingress().faults(Fault.resetAfterCommit(3));
            shop.toPayment().faults(Fault.resetAfterCommit(2));
            runPhase(load, phase, 3 * perPhase, shop);
            figures.note("phase 3 resets after commit: " + shop.ingress().describe() + " | " + shop.toPayment().describe());

            figures.fault("the same resets behind the mesh's retries (payment charges-and-refunds, ingress order-writes)");
            shop.mesh(true);
            shop.ingress().faults(Fault.resetAfterCommit(3));
            shop.toPayment().faults(Fault.resetAfterCommit(2));
            runPhase(load, phase, 4 * perPhase, shop);
            figures.note("phase 4 resets behind the mesh: " + shop.ingress().describe() + " | " + shop.toPayment().describe());

            for (var proxy : shop.proxies()) {
                proxy.faults();
            }
            Verify.answers(figures, "checkouts", load.tally(), Verify.forbidden(true));
            Verify.settled(shop, load, figures, Duration.ofSeconds(90));
            figures.expect(load.accepted() > 0, "no order was accepted at all");
        } catch (RuntimeException e) {
            figures.expect(false, "suite error: " + e);
            e.printStackTrace();
        }
        figures.finish();
        return figures;
    }

    /** Runs the load until it has placed {@code upTo} orders in all (the load counts across phases). */
    private static void runPhase(CheckoutLoad load, CheckoutLoad.Settings settings, int upTo, Shop shop) {
        for (var proxy : shop.proxies()) {
            proxy.resetCounters();
        }
        load.run(new CheckoutLoad.Settings(settings.workers(), upTo, settings.maxDuration(), settings.pause(),
                settings.cancelEvery(), settings.declineEvery(), settings.retries()));
    }
}
