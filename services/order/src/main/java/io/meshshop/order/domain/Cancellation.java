package io.meshshop.order.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.common.problem.ProblemException;

/**
 * Cancelling an order. The decision is stored first (CANCELLING, owing a refund or the charge's outcome),
 * then settled at once if payment answers; if it does not, recovery finishes it. The key is recorded on the
 * order (unique per customer): the same key cannot cancel a second order, and the same cancel again is a
 * replay of the first. A cancel that finds the order already cancelling or cancelled changes nothing and
 * answers the order as it stands, so repeating a cancel, with its key or another, is harmless. Only the
 * order's customer may cancel it; to anyone else it does not exist.
 */
public final class Cancellation {

    private final StoredOrders orders;
    private final Settlement settlement;
    /** A {@code MicrosecondClock}: what is stored is what the order says. */
    private final Clock clock;
    private final Schedule schedule;

    public Cancellation(StoredOrders orders, Settlement settlement, Clock clock, Schedule schedule) {
        this.orders = orders;
        this.settlement = settlement;
        this.clock = clock;
        this.schedule = schedule;
    }

    /** The order after a cancel, and whether it repeated a cancel that already cancelled it ({@code replayed}). */
    public record Cancelled(Order order, boolean replayed) {
    }

    /**
     * Cancels the customer's order and settles what it can now.
     *
     * <p>When the order changes between reading and cancelling it (a PENDING order became PAID), the cancel is
     * decided again on the order as it now stands. That ends: every failed compare-and-set follows a write by
     * someone else, which moves the order forward (there are few states and no cycles) or counts an attempt
     * that payment answered.
     *
     * @param payments the payment service, as this request calls it
     */
    public Cancelled cancel(UUID customer, UUID id, String key, PaymentGateway payments) {
        Optional<UUID> cancelledWithKey = orders.cancelledWith(customer, key);
        if (cancelledWithKey.filter(other -> !other.equals(id)).isPresent()) {
            throw Idempotency.keyReused("This Idempotency-Key already cancelled another order; use a new key");
        }
        Order order = find(id);
        if (!order.belongsTo(customer)) {
            throw notFound(id);
        }
        if (cancelledWithKey.isPresent()) {
            return new Cancelled(order, true);
        }
        while (true) {
            Optional<Order.Move> move = order.cancel(key);
            if (move.isEmpty()) {
                return new Cancelled(order, false);
            }
            if (orders.apply(order, move.get(), clock.instant()).isPresent()) {
                break;
            }
            order = find(id);
        }
        String owner = UUID.randomUUID().toString();
        Instant now = clock.instant();
        // The creating request or recovery may be settling the order right now; then it finishes the cancel.
        if (orders.claim(id, owner, now, now.plus(schedule.lease()))) {
            return new Cancelled(settlement.settle(find(id), payments, owner), false);
        }
        return new Cancelled(find(id), false);
    }

    private Order find(UUID id) {
        return orders.find(id).orElseThrow(() -> notFound(id));
    }

    /** The same answer for an unknown order and another customer's. */
    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("Order " + id);
    }
}
