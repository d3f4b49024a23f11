package io.meshshop.order.domain;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

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
        private static final String PENDING_ACCEPTED = "pending_accepted";
        private static final String RECOVERY_ATTEMPTS = "Recovery attempts to settle an order, by outcome";
        /** The states {@link #settled} counts: final as far as money goes (OrderStatus). */
        private static final List<OrderStatus> SETTLED = List.of(OrderStatus.PAID, OrderStatus.PAYMENT_DECLINED,
                OrderStatus.CANCELLED);

        /** The last count of PENDING orders, read by the gauge: a scrape never waits for the database. */
        private final AtomicLong pending = new AtomicLong();

        /**
         * Every series at zero from the first scrape: the ratios the rules and dashboards read (declined or
         * pending checkouts, recoveries that found nothing) need both series before the first such event.
         */
        private Metered() {
            List<String> settled = SETTLED.stream().map(Metered::tagValue).toList();
            Meters.preRegister("meshshop.orders", ORDERS, "status",
                    Stream.concat(settled.stream(), Stream.of(PENDING_ACCEPTED)).toArray(String[]::new));
            Meters.preRegister("meshshop.order.recovery.attempts", RECOVERY_ATTEMPTS, "outcome",
                    Stream.concat(settled.stream(), Stream.of(Recovery.UNKNOWN, Recovery.PROGRESSED)).toArray(String[]::new));
        }

        /** {@code paid}, {@code payment_declined}, ...: the tag value of a status, here and in Recovery's outcomes. */
        static String tagValue(OrderStatus status) {
            return status.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public void settled(Order order) {
            Meters.count("meshshop.orders", ORDERS, "status", tagValue(order.status()));
        }

        @Override
        public void acceptedPending(Order order) {
            Meters.count("meshshop.orders", ORDERS, "status", PENDING_ACCEPTED);
        }

        @Override
        public void recoveryAttempt(String outcome) {
            Meters.count("meshshop.order.recovery.attempts", RECOVERY_ATTEMPTS, "outcome", outcome);
        }

        @Override
        public void pending(long count) {
            pending.set(count);
            Meters.gauge("meshshop.orders.pending",
                    "Orders waiting for the outcome of their charge, as of the last recovery pass", pending::get);
        }
    }
}
