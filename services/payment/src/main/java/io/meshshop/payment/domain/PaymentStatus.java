package io.meshshop.payment.domain;

/**
 * Where a payment stands. A capture moves to {@code PARTIALLY_REFUNDED} and then {@code REFUNDED} as refunds
 * add up; a declined payment never changes again.
 */
public enum PaymentStatus {
    CAPTURED,
    DECLINED,
    PARTIALLY_REFUNDED,
    REFUNDED
}
