package io.meshshop.order.domain;

import java.util.UUID;

/**
 * What one call to the payment service established. {@link Unknown} covers every answer that is not a
 * definite result (unreachable, timeout, 5xx, a 409 while the same key is still in flight): the money may
 * or may not have moved, and only sending the same request again (same key) can tell.
 */
public sealed interface PaymentOutcome {

    /** The order's charge is captured as {@code paymentId}. */
    record Captured(UUID paymentId) implements PaymentOutcome {
    }

    /** The acquirer declined the charge, recorded as {@code paymentId}. */
    record Declined(UUID paymentId) implements PaymentOutcome {
    }

    /** The capture was refunded in full as {@code refundId}. */
    record Refunded(UUID refundId) implements PaymentOutcome {
    }

    record Unknown(String reason) implements PaymentOutcome {
    }
}
