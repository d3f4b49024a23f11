package io.meshshop.order.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.order.clients.ForwardedHeaders;
import io.meshshop.order.store.OrderStore;

/**
 * Cancelling an order. The decision is stored first (CANCELLING, owing a refund or the charge's outcome),
 * then settled at once if payment answers; if it does not, recovery finishes it. A cancel that finds the
 * order already cancelling or cancelled changes nothing and answers the order as it stands, so repeating a
 * cancel, with its key or another, is harmless. The key is recorded on the order (unique per customer): the
 * same key cannot cancel a second order. Only the order's customer may cancel it; to anyone else it does not
 * exist.
 */
public final class Cancellation {

    /** A cancel re-decides at most this often when the order changes under it (PENDING becoming PAID). */
    private static final int MAX_DECISIONS = 3;

    private final OrderStore orders;
    private final Settlement settlement;
    private final Clock clock;
    private final Schedule schedule;

    public Cancellation(OrderStore orders, Settlement settlement, Clock clock, Schedule schedule) {
        this.orders = orders;
        this.settlement = settlement;
        this.clock = clock;
        this.schedule = schedule;
    }

    /** Cancels the customer's order and settles what it can now; the order as it stands afterwards. */
    public Order cancel(UUID customer, UUID id, String key, ForwardedHeaders headers) {
        if (orders.findByCancelKey(customer, key).filter(other -> !other.equals(id)).isPresent()) {
            throw ProblemException.of(ProblemType.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key already cancelled another order; use a new key");
        }
        Order order = find(id);
        if (!order.belongsTo(customer)) {
            throw notFound(id);
        }
        for (int i = 0; i < MAX_DECISIONS; i++) {
            Optional<Order.Move> move = order.cancel(key);
            if (move.isEmpty()) {
                return order;
            }
            if (orders.apply(order, move.get(), false, now()).isPresent()) {
                break;
            }
            order = find(id);
        }
        String owner = UUID.randomUUID().toString();
        Instant now = now();
        // The creating request or recovery may be settling the order right now; then it finishes the cancel.
        if (orders.claim(id, owner, now, now.plus(schedule.lease()))) {
            return settlement.settle(find(id), headers, owner);
        }
        return find(id);
    }

    private Order find(UUID id) {
        return orders.find(id).orElseThrow(() -> notFound(id));
    }

    /** The same answer for an unknown order and another customer's. */
    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("Order " + id);
    }

    private Instant now() {
        return Settlement.now(clock);
    }
}
