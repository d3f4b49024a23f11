package io.meshshop.reliability.suites;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.meshshop.reliability.harness.ServiceProcess;
import io.meshshop.reliability.harness.Shop;
import io.meshshop.reliability.load.CheckoutLoad;
import io.meshshop.reliability.load.Customer;

/**
 * Suite 2, crash: {@code kill -9} of payment, then of user (and in the full run of order, mid-saga), in the
 * middle of a checkout load, each restarted a few seconds later. The mesh imitation is on: order's calls
 * go through proxies that answer like Envoy with mesh/payment- and user-timeouts-and-retries.yaml (a
 * refused connection is retried once, then a 503). Afterwards the checker finds nothing and no accepted
 * order is lost: orders placed while payment was dead were accepted PENDING (202) and settled by
 * recovery; placements refused while user was dead (503) stored nothing.
 */
public final class CrashSuite {

    private CrashSuite() {
    }

    public static Figures run(Mode mode) {
        Figures figures = new Figures("2 crash");
        Duration loadTime = Duration.ofSeconds(mode.quick() ? 45 : 90);
        figures.load("checkouts for " + loadTime.toSeconds() + " s, 4 clients, every 5th cancelled, every 10th declined");
        // The order instance killed mid-saga keeps its claims until the lease lapses; a shorter lease (still
        // above one settle's worst case of about 4 s) lets recovery take them over within the suite.
        Shop.Options options = new Shop.Options().mesh(true).orderEnv("RECOVERY_LEASE", "PT10S");
        try (Shop shop = Shop.start("crash", options)) {
            List<Customer> customers = shop.createCustomers(10);
            CheckoutLoad load = new CheckoutLoad(shop.api(), customers);
            Thread running = Verify.background("crash-load", () -> load.run(new CheckoutLoad.Settings(4, 100_000, loadTime,
                    Duration.ofMillis(100), 5, 10, 3)));

            List<String> timeline = new ArrayList<>();
            long start = System.nanoTime();
            Verify.sleep(Duration.ofSeconds(6));
            crash(shop.payments().getFirst(), Duration.ofSeconds(6), timeline, start);
            figures.fault("kill -9 payment, 6 s down");
            Verify.sleep(Duration.ofSeconds(5));
            crash(shop.users().getFirst(), Duration.ofSeconds(6), timeline, start);
            figures.fault("kill -9 user, 6 s down");
            if (!mode.quick()) {
                Verify.sleep(Duration.ofSeconds(8));
                crash(shop.orders().getFirst(), Duration.ofSeconds(4), timeline, start);
                figures.fault("kill -9 order mid-saga, 4 s down");
                Verify.sleep(Duration.ofSeconds(8));
                // Both at once: order's charges and its user checks fail together.
                ServiceProcess payment = shop.payments().getFirst();
                ServiceProcess user = shop.users().getFirst();
                payment.kill9();
                user.kill9();
                timeline.add(seconds(start) + " s: kill -9 payment and user together");
                Verify.sleep(Duration.ofSeconds(5));
                payment.restart();
                user.restart();
                timeline.add(seconds(start) + " s: both ready again");
                figures.fault("kill -9 payment and user together, 5 s down");
            }
            Verify.join(running, loadTime.plusSeconds(120));
            figures.note("timeline: " + timeline);
            Verify.answers(figures, "checkouts", load.tally(), Verify.forbidden(false));
            long pendingAccepted = load.ledger().stream().filter(p -> p.acceptedWith() == 202).count();
            figures.note("placements accepted PENDING (202) while a dependency was down: " + pendingAccepted);
            figures.expect(pendingAccepted > 0, "no order was accepted PENDING: payment's crash was not observed");
            figures.expect(load.tally().count(label -> label.startsWith("503")) > 0,
                    "no placement was refused 503: user's crash was not observed");
            Verify.proxies(shop, figures);
            Verify.signIns(shop, figures);
            Verify.settled(shop, load, figures, Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            figures.expect(false, "suite error: " + e);
            e.printStackTrace();
        }
        figures.finish();
        return figures;
    }

    private static void crash(ServiceProcess process, Duration down, List<String> timeline, long start) {
        process.kill9();
        timeline.add(seconds(start) + " s: kill -9 " + process.instance());
        Verify.sleep(down);
        process.restart();
        timeline.add(seconds(start) + " s: " + process.instance() + " ready again");
    }

    private static long seconds(long start) {
        return (System.nanoTime() - start) / 1_000_000_000L;
    }
}
