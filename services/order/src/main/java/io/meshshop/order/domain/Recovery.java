package io.meshshop.order.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.meshshop.common.observe.Spans;

/**
 * Settles orders whose charge or refund has no known outcome: payment was down, too slow, or its answer
 * was lost on the way back. This is not a retry policy (the mesh has that, per call, within a request's
 * time budget); it is the business process finishing what a request could not, after the request ended.
 *
 * <p>Every pass sends the same charge or refund again, under the same key derived from the order id, for
 * orders that are due, until payment gives a definite answer. Safe with any number of instances on one
 * database: an order is settled only by whoever claims it (a conditional UPDATE that exactly one claimant
 * wins), and even two senders would send one and the same charge. When passes run is not decided here:
 * {@code Main} runs one every {@code recovery.interval} while the server runs.
 */
public final class Recovery {

    /** The outcome of an attempt that found the charge's outcome still unknown: nothing changed. */
    static final String UNKNOWN = "unknown";
    /** The outcome of an attempt that moved the order on without settling it: its status or what it owes changed. */
    static final String PROGRESSED = "progressed";

    private final StoredOrders orders;
    private final Settlement settlement;
    /** The payment service as recovery calls it: with no request, so with no request's headers. */
    private final PaymentGateway payments;
    private final Clock clock;
    private final Schedule schedule;
    private final OrderMetrics metrics;

    public Recovery(StoredOrders orders, Settlement settlement, PaymentGateway payments, Clock clock,
                    Schedule schedule, OrderMetrics metrics) {
        this.orders = orders;
        this.settlement = settlement;
        this.payments = payments;
        this.clock = clock;
        this.schedule = schedule;
        this.metrics = metrics;
    }

    /** One pass: claims due orders one by one and settles each as far as payment answers; how many it settled. */
    public int pass() {
        metrics.pending(orders.countPending());
        int settled = 0;
        for (UUID id : orders.due(clock.instant(), schedule.batch())) {
            String owner = UUID.randomUUID().toString();
            Instant now = clock.instant();
            if (!orders.claim(id, owner, now, now.plus(schedule.lease()))) {
                continue;
            }
            Order before = orders.find(id).orElseThrow();
            // One trace per claimed order: the payment call and the statements of its settlement under one span.
            Order after = Spans.inNewTrace("order-recovery", "recover order", Map.of("order.id", id.toString()),
                    () -> settlement.settle(before, payments, owner));
            metrics.recoveryAttempt(outcome(before, after));
            if (after.owed() == null) {
                settled++;
            }
        }
        return settled;
    }

    /** paid | payment_declined | cancelled when settled; unknown when nothing changed; progressed otherwise. */
    static String outcome(Order before, Order after) {
        if (after.owed() == null) {
            return OrderMetrics.Metered.tagValue(after.status());
        }
        return after.status() == before.status() && after.owed() == before.owed() ? UNKNOWN : PROGRESSED;
    }
}
