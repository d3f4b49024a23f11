package io.meshshop.reliability.suites;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import io.meshshop.reliability.check.ConsistencyCheck;
import io.meshshop.reliability.check.Finding;
import io.meshshop.reliability.harness.Shop;
import io.meshshop.reliability.load.CheckoutLoad;
import io.meshshop.reliability.load.Tally;
import io.meshshop.reliability.proxy.FaultProxy;

/** What every suite checks at its end, the same way: settled, nothing lost, nothing charged twice. */
final class Verify {

    private Verify() {
    }

    /**
     * Answers a client must never get: a 500 (or any 5xx but 503 and, where the suite kills order, the
     * mesh's 503), a hang (no answer within the client's 15 s), a 422 (this load never reuses a key), a 400
     * or 404 (its requests are valid and name the customer's own orders), a 401 or 403 (every call carries
     * the customer's token, renewed before it expires), a 429 (the load never signs in with a wrong password).
     *
     * @param resetsExpected the suite resets client connections on purpose: "no answer" that is not a hang
     *                       is then the fault itself, which the client survives by sending again
     */
    static Predicate<String> forbidden(boolean resetsExpected) {
        return label -> {
            if (label.startsWith("no answer")) {
                return label.contains("timeout") || !resetsExpected;
            }
            return label.startsWith("5") && !label.startsWith("503") || label.startsWith("422")
                   || label.startsWith("400") || label.startsWith("404") || label.startsWith("401")
                   || label.startsWith("403") || label.startsWith("429");
        };
    }

    /** Counts the load's answers into the figures and notes them. */
    static void answers(Figures figures, String what, Tally tally, Predicate<String> forbidden) {
        long bad = tally.count(forbidden);
        figures.requests(tally.requests()).failures(bad);
        figures.note(what + ": " + tally.requests() + " requests, answers " + tally.byLabel() + ", p50 "
                     + tally.percentileMillis(0.5) + " ms, p99 " + tally.percentileMillis(0.99) + " ms, max "
                     + tally.maxMillis() + " ms" + (bad == 0 ? "" : ", FORBIDDEN " + bad));
    }

    /**
     * The customers' sign-ins, the first ones and those that renewed a token before it expired: counted like
     * any answer (a 503 while user is down is allowed, a 401 for the right password is not).
     */
    static void signIns(Shop shop, Figures figures) {
        answers(figures, "sign-ins", shop.signIns(), forbidden(false));
        figures.note("tokens renewed before they expired: " + shop.renewals());
    }

    /**
     * Waits for recovery to settle every order, lets clients send their unanswered placements once more,
     * waits again, then counts lost orders, contradictions and the checker's findings into the figures.
     */
    static void settled(Shop shop, CheckoutLoad load, Figures figures, Duration maxSettle) {
        Duration first = shop.awaitSettled(maxSettle);
        figures.note("recovery settled every order " + (first == null ? "NOT within " + maxSettle.toSeconds() + " s"
                : "in " + first.toMillis() + " ms after the load"));
        long before = load.accepted();
        load.reconcile();
        long late = load.ledger().stream().filter(p -> p.acceptedOnlyAtReconcile()).count();
        figures.note("placements never accepted during the faults, sent once more: " + (load.ledger().size() - before)
                     + ", of which answered 201/202 now: " + late + " (orders accepted at last, none lost)");
        Duration second = shop.awaitSettled(maxSettle);
        figures.expect(second != null, "orders still unsettled " + maxSettle.toSeconds() + " s after the load: "
                                       + shop.unsettled());
        List<String> lost = shop.lostOrders(load.ledger());
        figures.lostOrders(lost.size());
        lost.stream().limit(10).forEach(line -> figures.note("LOST " + line));
        List<String> wrong = shop.contradicted(load.ledger());
        figures.expect(wrong.isEmpty(), "orders whose state contradicts their answer: " + wrong.stream().limit(5).toList());
        check(shop, figures);
        figures.note("orders accepted " + load.accepted() + " of " + load.ledger().size() + " placements");
    }

    /** The consistency checker on the suite's databases; every finding fails the suite. */
    static void check(Shop shop, Figures figures) {
        ConsistencyCheck.Result result = shop.check();
        figures.doubleCharges(result.count(Finding.DOUBLE_CAPTURE));
        figures.note("consistency checker: " + result.orders() + " orders, " + result.payments() + " payments, "
                     + result.refunds() + " refunds, " + result.findings().size() + " finding(s)");
        result.findings().stream().limit(10).forEach(f -> figures.note("  " + f));
        figures.expect(result.clean(), "the consistency checker found " + result.findings().size() + " inconsistencies");
    }

    /** The proxies' figures (retries, timeouts, ejections), as notes. */
    static void proxies(Shop shop, Figures figures) {
        for (FaultProxy proxy : shop.proxies()) {
            figures.note(proxy.describe());
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs {@code work} on its own thread (a load that runs while the suite injects faults). */
    static Thread background(String name, Runnable work) {
        return Thread.ofPlatform().name(name).start(work);
    }

    static void join(Thread thread, Duration max) {
        try {
            thread.join(max.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
