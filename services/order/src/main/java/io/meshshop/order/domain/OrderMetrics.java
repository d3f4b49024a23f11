package io.meshshop.order.domain;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import io.meshshop.common.observe.Meters;

/**
 * What the saga counts, always after the change it counts has committed: each of the saga's writes is one
 * statement, so the statement's return is its commit. {@link #meters()} puts them on
 * {@code /observe/metrics}; tests record them.
 */
public interface OrderMetrics {

    /** The order reached a state final for its money: PAID, PAYMENT_DECLINED or CANCELLED. */
    void settled(Order order);

    /** A new order was answered 202: stored, the outcome of its charge unknown, recovery will settle it. */
    void acceptedPending(Order order);

    /** One recovery attempt on one order: paid, payment_declined, cancelled, progressed or unknown. */
    void recoveryAttempt(String outcome);

    /** How many orders are PENDING, as the last recovery pass counted them. */
    void pending(long count);

    /**
     * {@code meshshop_orders_total{status}} (settled orders by final state, and {@code pending_accepted}),
     * {@code meshshop_order_recovery_attempts_total{outcome}} and the gauge {@code meshshop_orders_pending}.
     */
    static OrderMetrics meters() {
        return new Metered();
    }

    /** The meters behind {@link #meters()}. */
    final class Metered implements OrderMetrics {

        private static final String ORDERS = "Orders by the final state they reached";

        /** The last count of PENDING orders, read by the gauge: a scrape never waits for the database. */
        private final AtomicLong pending = new AtomicLong();

        private Metered() {
        }

        @Override
        public void settled(Order order) {
            Meters.count("meshshop.orders", ORDERS, "status", order.status().name().toLowerCase(Locale.ROOT));
        }

        @Override
        public void acceptedPending(Order order) {
            Meters.count("meshshop.orders", ORDERS, "status", "pending_accepted");
        }

        @Override
        public void recoveryAttempt(String outcome) {
            Meters.count("meshshop.order.recovery.attempts", "Recovery attempts to settle an order, by outcome",
                    "outcome", outcome);
        }

        @Override
        public void pending(long count) {
            pending.set(count);
            Meters.gauge("meshshop.orders.pending",
                    "Orders waiting for the outcome of their charge, as of the last recovery pass", pending::get);
        }
    }
}
