package io.meshshop.order.domain;

/** What an order still owes the payment service before its state is settled. */
public enum Owed {
    /** The charge (always the same one, under the key derived from the order id) has no known outcome. */
    CHARGE,
    /** The capture must be refunded in full (under the refund key derived from the order id). */
    REFUND
}
