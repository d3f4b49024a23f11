package io.meshshop.reliability.suites;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.meshshop.reliability.harness.Shop;
import io.meshshop.reliability.load.Answer;
import io.meshshop.reliability.load.Api;
import io.meshshop.reliability.load.CheckoutLoad;
import io.meshshop.reliability.load.Customer;
import io.meshshop.reliability.load.Tally;
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
 * Then, still behind the mesh with every write delivered twice at once, two customers at a time send the
 * same Idempotency-Key at the same moment: keys belong to the customer who sent them, so each gets an order
 * of their own, exactly one, never the other's answer; each then tries the other's order (reading it,
 * cancelling it, finding it in their own list), which must be a 404 that changes nothing; and last both
 * cancel their own order under one shared cancel key, each getting their own cancellation.
 * Then: zero double charges, every accepted order settles, no duplicate order or user for one key (per
 * customer), and the consistency checker finds nothing.
 */
public final class DuplicateDeliverySuite {

    private DuplicateDeliverySuite() {
    }

    public static Figures run(Mode mode) {
        Figures figures = new Figures("1 duplicate delivery");
        int perPhase = mode.quick() ? 24 : 120;
        int pairs = mode.quick() ? 6 : 20;
        figures.load("4 phases x " + perPhase + " checkouts, 4 clients, every 4th cancelled, every 10th declined; "
                     + pairs + " pairs of customers sharing a key");
        try (Shop shop = Shop.start("dup", new Shop.Options().mesh(false))) {
            // Registrations delivered twice: one user per key.
            shop.ingressUser().faults(Fault.duplicateEveryWrite());
            List<Customer> customers = shop.createCustomers(mode.quick() ? 5 : 20);
            long userRows = shop.postgres().count(shop.userDb(), "SELECT COUNT(*) FROM users");
            figures.expect(userRows == customers.size(), "registrations delivered twice made " + userRows + " users for "
                                                         + customers.size() + " keys");
            figures.note("user registrations delivered twice: " + customers.size() + " keys, " + userRows + " users");
            shop.ingressUser().faults();

            CheckoutLoad load = new CheckoutLoad(shop.api(), customers);
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

            figures.fault("two customers send one key at once, every write delivered twice at once; each tries the other's order");
            shop.ingress().faults(Fault.duplicateConcurrently(1));
            shop.toPayment().faults(Fault.duplicateConcurrently(1));
            crossCustomer(shop, customers, pairs, figures);

            for (var proxy : shop.proxies()) {
                proxy.faults();
            }
            Verify.answers(figures, "checkouts", load.tally(), Verify.forbidden(true));
            Verify.signIns(shop, figures);
            Verify.settled(shop, load, figures, Duration.ofSeconds(90));
            figures.expect(load.accepted() > 0, "no order was accepted at all");
        } catch (RuntimeException e) {
            figures.expect(false, "suite error: " + e);
            e.printStackTrace();
        }
        figures.finish();
        return figures;
    }

    /**
     * Customers A and B send one placement each under the same key at the same moment; then B reads A's order,
     * cancels it and lists its own orders, and the same the other way round; last each cancels their own
     * order under one shared cancel key. Every answer is judged here.
     */
    private static void crossCustomer(Shop shop, List<Customer> customers, int pairs, Figures figures) {
        Api api = shop.api();
        Tally answers = new Tally();
        List<String> wrong = new ArrayList<>();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String body = Api.orderBody(List.of(new Api.Line("MESH-MUG", 1)));
        for (int i = 0; i < pairs; i++) {
            Customer a = customers.get(i % customers.size());
            Customer b = customers.get((i + 1) % customers.size());
            String key = "rel-" + run + "-shared-" + i;
            // Each as a client does: the same request again while the answer is retriable (the customer's own
            // duplicate still in flight, 409), until the order is accepted (201 PAID, 202 PENDING).
            CompletableFuture<Answer> placedByB = CompletableFuture.supplyAsync(
                    () -> untilSettled(answers, () -> api.placeOrder(b, key, body)), command -> Thread.ofVirtual().start(command));
            Answer placedA = untilSettled(answers, () -> api.placeOrder(a, key, body));
            Answer placedB = placedByB.join();
            UUID orderA = Api.id(placedA);
            UUID orderB = Api.id(placedB);
            if (!accepted(placedA) || !accepted(placedB) || orderA == null || orderA.equals(orderB)) {
                wrong.add(key + ": one key, two customers, answered " + placedA.label() + " " + orderA + " and "
                          + placedB.label() + " " + orderB + " (each must get their own order)");
                continue;
            }
            if (!a.id().toString().equals(placedA.string("userId").orElse(""))
                || !b.id().toString().equals(placedB.string("userId").orElse(""))) {
                wrong.add(key + ": an order answered to one customer names another as its owner");
            }
            for (Customer owner : List.of(a, b)) {
                Customer other = owner == a ? b : a;
                UUID order = owner == a ? orderA : orderB;
                Answer read = api.getOrder(other, order);
                // A key the other never sends again: their 404 must not stand in the way of anything later.
                Answer cancel = api.cancelOrder(other, order, key + "-cancel-not-mine");
                Answer list = api.listOrders(other);
                answers.record(read);
                answers.record(cancel);
                answers.record(list);
                if (read.status() != 404 || cancel.status() != 404) {
                    wrong.add(key + ": another customer's read and cancel of an order answered " + read.label() + " and "
                              + cancel.label() + " (404 both: it is not theirs)");
                }
                if (list.status() != 200 || list.json() == null || list.json().toString().contains(order.toString())) {
                    wrong.add(key + ": another customer's list answered " + list.label() + (list.status() == 200
                            ? " and shows an order that is not theirs" : ""));
                }
                long stillOwned = shop.postgres().count(shop.orderDb(), "SELECT COUNT(*) FROM orders WHERE id = '"
                        + order + "' AND user_id = '" + owner.id() + "' AND status IN ('PAID', 'PENDING')");
                if (stillOwned != 1) {
                    wrong.add(key + ": order " + order + " is not its owner's live order after another customer's cancel");
                }
            }
            // One cancel key for both: each cancels their own order, neither gets the other's stored answer.
            for (Customer owner : List.of(a, b)) {
                UUID order = owner == a ? orderA : orderB;
                Answer cancelled = untilSettled(answers, () -> api.cancelOrder(owner, order, key + "-cancel"));
                // 200 CANCELLED, or 202 CANCELLING for an order still PENDING: either way this order, this owner's.
                boolean cancelling = cancelled.status() == 200 || cancelled.status() == 202;
                if (!cancelling || !order.equals(Api.id(cancelled))) {
                    wrong.add(key + ": the owner's cancel under a key another customer also used answered "
                              + cancelled.label() + " for " + Api.id(cancelled) + " (200 or 202 for " + order + ")");
                }
            }
        }
        figures.requests(answers.requests()).failures(wrong.size());
        figures.note("two customers, one key (" + pairs + " pairs, every write delivered twice at once): "
                     + answers.requests() + " requests, answers " + answers.byLabel()
                     + (wrong.isEmpty() ? "" : ", WRONG " + wrong.size()));
        wrong.stream().limit(10).forEach(line -> figures.note("  " + line));
    }

    /** Sends {@code request} again (same key) while its answer is retriable, at most 5 times; records every answer. */
    private static Answer untilSettled(Tally answers, java.util.function.Supplier<Answer> request) {
        Answer answer = request.get();
        answers.record(answer);
        for (int attempt = 1; attempt < 5 && CheckoutLoad.retriable(answer); attempt++) {
            Verify.sleep(Duration.ofMillis(500));
            answer = request.get();
            answers.record(answer);
        }
        return answer;
    }

    private static boolean accepted(Answer answer) {
        return answer.status() == 201 || answer.status() == 202;
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
