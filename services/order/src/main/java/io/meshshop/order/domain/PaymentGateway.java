package io.meshshop.order.domain;

/**
 * The payment service as the saga calls it ({@code clients/PaymentClient}): an order's charge and its full
 * refund, each under a key derived from the order id, so that every send of them is the same charge or
 * refund. Anything but a definite answer is {@link PaymentOutcome.Unknown}; nothing here throws.
 */
public interface PaymentGateway {

    /** {@link PaymentOutcome.Captured}, {@link PaymentOutcome.Declined} or {@link PaymentOutcome.Unknown}. */
    PaymentOutcome charge(Order order);

    /** {@link PaymentOutcome.Refunded} or {@link PaymentOutcome.Unknown}. */
    PaymentOutcome refund(Order order);
}
