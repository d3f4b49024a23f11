package io.meshshop.reliability.suites;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.meshshop.reliability.harness.ServiceProcess;
import io.meshshop.reliability.harness.Shop;
import io.meshshop.reliability.load.CheckoutLoad;
import io.meshshop.reliability.load.Customer;
import io.meshshop.reliability.load.UserLoad;
import io.meshshop.reliability.proxy.Fault;
import io.meshshop.reliability.proxy.FaultProxy;

/**
 * Suite 5, graceful shutdown, with two instances of every service behind the proxies.
 *
 * <p>Rolling restart under steady load: each service in turn gets SIGTERM on one instance, as Kubernetes
 * sends when it deletes a pod, while checkouts and user traffic go on. The proxies take the instance out of
 * rotation one second after the SIGTERM, as the endpoint update (pod terminating, pushed by istiod) reaches
 * Envoy; until then it keeps receiving requests, which is what the drain (shutdown.drain, 5 s) is for. Its
 * readiness must turn false at once, in-flight requests must complete (order's are held 1.5 s at payment
 * for this), it must exit after the drain, and no accepted request may fail: every answer is a 2xx.
 *
 * <p>SIGTERM mid-saga: an order instance that has charges waiting on a payment that commits but answers
 * after order's read timeout gets SIGTERM; what it leaves (PENDING orders, maybe a claim) must be settled
 * by recovery, with one capture per order.
 */
public final class ShutdownSuite {

    /** How long after the SIGTERM the proxies stop routing to the instance (endpoint propagation). */
    private static final Duration ENDPOINT_PROPAGATION = Duration.ofSeconds(1);

    private ShutdownSuite() {
    }

    public static Figures run(Mode mode) {
        Figures figures = new Figures("5 graceful shutdown");
        List<String> roll = mode.quick() ? List.of("user", "order") : List.of("user", "order", "payment");
        figures.load("2 instances each; checkouts (3 clients) and user traffic (2 clients) during each restart");
        Shop.Options options = new Shop.Options().instances(2, 2, 2).mesh(true).orderEnv("RECOVERY_LEASE", "PT10S");
        try (Shop shop = Shop.start("shutdown", options)) {
            List<Customer> customers = shop.createCustomers(10);
            CheckoutLoad checkouts = new CheckoutLoad(shop.api(), customers);
            for (String service : roll) {
                figures.fault("SIGTERM " + service + "-1 under load");
                rollOne(shop, service, checkouts, customers, figures);
            }
            Verify.answers(figures, "checkouts during the restarts", checkouts.tally(),
                    label -> !label.startsWith("2"));

            figures.fault("SIGTERM order-2 while its charges wait on payment");
            midSaga(shop, customers, figures);
            Verify.signIns(shop, figures);
            Verify.settled(shop, checkouts, figures, Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            figures.expect(false, "suite error: " + e);
            e.printStackTrace();
        }
        figures.finish();
        return figures;
    }

    private static void rollOne(Shop shop, String service, CheckoutLoad checkouts, List<Customer> customers,
                                Figures figures) {
        List<ServiceProcess> instances = switch (service) {
            case "user" -> shop.users();
            case "order" -> shop.orders();
            default -> shop.payments();
        };
        List<FaultProxy> fronting = switch (service) {
            case "user" -> List.of(shop.ingressUser(), shop.toUser());
            case "order" -> List.of(shop.ingress());
            default -> List.of(shop.toPayment());
        };
        if (service.equals("order")) {
            // Every checkout spends 1.5 s inside order waiting for payment: SIGTERM finds some in flight.
            shop.toPayment().faults(Fault.delayRequests(1, Duration.ofMillis(1500)));
        }
        UserLoad userLoad = new UserLoad(shop.api(), customers).start(2, Duration.ofMillis(50), Duration.ofSeconds(60));
        Thread load = Verify.background("rolling-load", () -> checkouts.run(new CheckoutLoad.Settings(3, 100_000,
                Duration.ofSeconds(16), Duration.ofMillis(50), 6, 0, 0)));
        Verify.sleep(Duration.ofSeconds(3));

        ServiceProcess victim = instances.getFirst();
        long servedBefore = fronting.getFirst().endpoints().getFirst().answered();
        long sigterm = System.nanoTime();
        victim.sigterm();
        AtomicLong flipped = new AtomicLong(-1);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (System.nanoTime() - sigterm < Duration.ofSeconds(10).toNanos()) {
                int ready = victim.readiness();
                if (ready != 200) {
                    flipped.set((System.nanoTime() - sigterm) / 1_000_000);
                    return;
                }
                Verify.sleep(Duration.ofMillis(50));
            }
        });
        Verify.sleep(ENDPOINT_PROPAGATION);
        for (FaultProxy proxy : fronting) {
            proxy.endpoints().getFirst().inRotation(false);
        }
        int livenessWhileDraining = victim.liveness();
        boolean exited = victim.awaitExit(Duration.ofSeconds(30));
        long servedAfterSigterm = fronting.getFirst().endpoints().getFirst().answered() - servedBefore;
        long exitMillis = (System.nanoTime() - sigterm) / 1_000_000;
        Verify.join(watcher, Duration.ofSeconds(1));
        Verify.join(load, Duration.ofSeconds(120));
        userLoad.stop();
        shop.toPayment().faults();

        figures.note(service + "-1: readiness false " + flipped.get() + " ms after SIGTERM; served "
                     + servedAfterSigterm + " requests after SIGTERM (in flight, or sent before it left rotation)"
                     + "; liveness while draining "
                     + livenessWhileDraining + "; exited " + (exited ? "with " + victim.exitValue() + " after "
                     + exitMillis + " ms" : "NOT within 30 s"));
        figures.expect(flipped.get() >= 0 && flipped.get() <= 1_000, service + "-1 readiness did not turn false"
                       + " within 1 s of SIGTERM (" + flipped.get() + " ms)");
        figures.expect(livenessWhileDraining == 200, service + "-1 stopped serving before its drain ended");
        figures.expect(exited && exitMillis >= 4_500, service + "-1 did not drain before stopping (" + exitMillis + " ms)");
        Verify.answers(figures, "user traffic while " + service + "-1 restarted", userLoad.tally(),
                label -> !label.startsWith("2"));

        // The rollout's new pod: same port, back in rotation once ready.
        victim.restart();
        for (FaultProxy proxy : fronting) {
            proxy.endpoints().getFirst().inRotation(true);
        }
    }

    /**
     * Order-2 alone takes the checkouts; payment commits every charge but answers after 4 s, past order's
     * 3 s read timeout (bare network, so no mesh retry hides it). SIGTERM order-2 one second into a burst
     * of checkouts, route new ones to order-1, and restart order-2 afterwards.
     */
    private static void midSaga(Shop shop, List<Customer> customers, Figures figures) {
        FaultProxy ingress = shop.ingress();
        ingress.endpoints().get(0).inRotation(false);
        shop.toPayment().mesh(null, null);
        shop.toPayment().faults(Fault.holdResponses(1, Duration.ofSeconds(4)));
        CheckoutLoad burst = new CheckoutLoad(shop.api(), customers);
        Thread load = Verify.background("mid-saga-load", () -> burst.run(new CheckoutLoad.Settings(4, 100_000,
                Duration.ofSeconds(6), Duration.ofMillis(100), 0, 0, 3)));
        Verify.sleep(Duration.ofSeconds(1));
        ServiceProcess victim = shop.orders().get(1);
        victim.sigterm();
        Verify.sleep(ENDPOINT_PROPAGATION);
        ingress.endpoints().get(0).inRotation(true);
        ingress.endpoints().get(1).inRotation(false);
        boolean exited = victim.awaitExit(Duration.ofSeconds(30));
        Verify.join(load, Duration.ofSeconds(60));
        shop.toPayment().faults();
        shop.mesh(true);
        long unsettled = shop.unsettled();
        figures.note("mid-saga: order-2 " + (exited ? "exited " + victim.exitValue() : "did NOT exit") + "; "
                     + burst.ledger().size() + " placements, " + burst.accepted() + " accepted, " + unsettled
                     + " orders owing a charge or refund when it was gone");
        Verify.answers(figures, "checkouts around the mid-saga SIGTERM", burst.tally(), Verify.forbidden(false));
        figures.expect(exited, "order-2 did not exit within 30 s of SIGTERM");
        victim.restart();
        ingress.endpoints().get(1).inRotation(true);
        Verify.settled(shop, burst, figures, Duration.ofSeconds(90));
        List<String> accepted = new ArrayList<>();
        burst.ledger().forEach(p -> {
            if (p.accepted()) {
                accepted.add(p.orderId() + "=" + p.acceptedWith());
            }
        });
        figures.note("mid-saga accepted orders: " + accepted.size());
    }
}
