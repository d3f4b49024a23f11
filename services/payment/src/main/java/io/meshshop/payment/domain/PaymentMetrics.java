package io.meshshop.payment.domain;

import java.util.List;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

/**
 * Business counters on {@code /observe/metrics}: {@code meshshop_payments_total{outcome}},
 * {@code meshshop_payments_captured_minor_total{currency}} and {@code meshshop_refunds_total{outcome}}.
 * Amounts are counted per currency because minor units of different currencies do not add up.
 * Idempotent replays are counted by the shared module as {@code meshshop_idempotency_requests_total}.
 */
public final class PaymentMetrics {

    private PaymentMetrics() {
    }

    /** A payment whose transaction committed: a capture or a decline. */
    public static void charged(Payment payment) {
        boolean declined = payment.status() == PaymentStatus.DECLINED;
        counter("meshshop.payments", "Payments by outcome", "outcome", declined ? "declined" : "captured").increment();
        if (!declined) {
            counter("meshshop.payments.captured.minor", "Captured amount in minor units, by currency",
                    "currency", payment.currency()).increment(payment.amountMinor());
        }
    }

    public static void refunded(Refund refund) {
        counter("meshshop.refunds", "Refunds by outcome", "outcome", "refunded").increment();
    }

    /** A refund refused by the payment's state: over the capture, or of a declined payment. */
    public static void refundRejected() {
        counter("meshshop.refunds", "Refunds by outcome", "outcome", "rejected").increment();
    }

    private static Counter counter(String name, String description, String tag, String value) {
        return Metrics.globalRegistry().getOrCreate(Counter.builder(name)
                .description(description)
                .tags(List.of(Tag.create(tag, value))));
    }
}
