package io.meshshop.payment.domain;

import io.meshshop.common.observe.Meters;
import io.meshshop.common.observe.Spans;

/**
 * Business counters on {@code /observe/metrics}: {@code meshshop_payments_total{outcome}},
 * {@code meshshop_payments_captured_minor_total{currency}} and {@code meshshop_refunds_total{outcome}}.
 * Amounts are counted per currency because minor units of different currencies do not add up.
 * Idempotent replays are counted by the shared module as {@code meshshop_idempotency_requests_total}.
 */
public final class PaymentMetrics {

    private static final String PAYMENTS = "Payments by outcome";
    private static final String REFUNDS = "Refunds by outcome";

    private PaymentMetrics() {
    }

    /** A payment whose transaction committed: a capture or a decline. */
    public static void charged(Payment payment) {
        Spans.tag("payment.id", payment.id().toString());
        Spans.tag("payment.status", payment.status().name());
        Spans.tag("order.id", payment.orderId().toString());
        if (payment.status() == PaymentStatus.DECLINED) {
            Meters.count("meshshop.payments", PAYMENTS, "outcome", "declined");
            return;
        }
        Meters.count("meshshop.payments", PAYMENTS, "outcome", "captured");
        Meters.add("meshshop.payments.captured.minor", "Captured amount in minor units, by currency",
                payment.amountMinor(), "currency", payment.currency());
    }

    public static void refunded(Refund refund) {
        Meters.count("meshshop.refunds", REFUNDS, "outcome", "refunded");
    }

    /** A refund refused by the payment's state: over the capture, or of a declined payment. */
    public static void refundRejected() {
        Meters.count("meshshop.refunds", REFUNDS, "outcome", "rejected");
    }
}
