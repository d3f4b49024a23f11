package io.meshshop.reliability.check;

/**
 * Every query the consistency checker runs, in one place, so that a change to the services' migrations is
 * a change to this file only. The tables are those of
 * {@code services/order/src/main/resources/db/order/migration/V2__orders.sql} (orders) and
 * {@code services/payment/src/main/resources/db/payment/migration/V1__payments.sql} (payments, refunds).
 *
 * <p>The two databases are separate (one per service, as in the cluster), so nothing here joins across
 * them: each side is read whole and compared in Java. Only columns the checks need are read, and every
 * value the checks compare is read as the database stores it (minor units, ISO codes, UUID text).
 */
final class Schema {

    private Schema() {
    }

    /** The order database's clock, so that "old enough" never depends on the checker's clock. */
    static final String ORDER_DB_NOW = "SELECT CURRENT_TIMESTAMP AS now";

    /**
     * Every order with what it owes the payment service ({@code owed}: CHARGE, REFUND or NULL when
     * settled) and the payment and refund ids it recorded.
     */
    static final String ORDERS = "SELECT id, status, owed, total_minor, currency, payment_id, refund_id, created_at"
                                 + " FROM orders";

    /**
     * Idempotency-Keys that placed more than one order for one customer (the unique constraint should make
     * this empty). Keys belong to the customer who sent them (V3__keys_per_customer.sql): two customers with
     * one key are two orders, as they should be.
     */
    static final String DUPLICATE_ORDER_KEYS = "SELECT user_id, idem_key, COUNT(*) AS orders FROM orders"
                                               + " GROUP BY user_id, idem_key HAVING COUNT(*) > 1";

    /**
     * Every payment. A capture is a payment whose status is not DECLINED (CAPTURED, PARTIALLY_REFUNDED,
     * REFUNDED); {@code refunded_minor} is the payment's own running total of its refunds.
     */
    static final String PAYMENTS = "SELECT id, order_id, amount_minor, currency, status, refunded_minor FROM payments";

    /** The refunds of each payment, added up from the refund rows themselves. */
    static final String REFUNDS_BY_PAYMENT = "SELECT payment_id, COUNT(*) AS refunds, SUM(amount_minor) AS total_minor"
                                             + " FROM refunds GROUP BY payment_id";

    /** The payment statuses that mean money was captured (see payments_status in V1__payments.sql). */
    static boolean isCapture(String paymentStatus) {
        return !"DECLINED".equals(paymentStatus);
    }
}
