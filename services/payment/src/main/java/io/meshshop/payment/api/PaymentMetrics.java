package io.meshshop.payment.api;

import io.meshshop.common.observe.Meters;
import io.meshshop.common.observe.Spans;
import io.meshshop.payment.domain.Payment;
import io.meshshop.payment.domain.PaymentStatus;
import io.meshshop.payment.domain.RefundDecision;

/**
 * Business counters on {@code /observe/metrics}: {@code meshshop_payments_total{outcome}},
 * {@code meshshop_payments_captured_minor_total{currency}} and {@code meshshop_refunds_total{outcome}}.
 * Amounts are counted per currency because minor units of different currencies do not add up.
 * Idempotent replays are counted by the shared module as {@code meshshop_idempotency_requests_total}.
 *
 * <p>Called only with what {@code Idempotency.respond} hands back: a decision whose transaction committed
 * now. So a replay is never counted twice, and an effect rolled back (a failed commit that the mesh will send
 * again) is never counted at all.
 */
final class PaymentMetrics {

    private static final String PAYMENTS = "Payments by outcome";
    private static final String REFUNDS = "Refunds by outcome";
    private static final String CAPTURED = "captured";
    private static final String DECLINED = "declined";
    private static final String REFUNDED = "refunded";
    private static final String REJECTED = "rejected";

    private PaymentMetrics() {
    }

    /**
     * The outcome series at zero from the first scrape: a share of declines or rejected refunds is a ratio of
     * two series, and a new series' first events are lost to {@code rate()}. Called at set-up
     * ({@link PaymentHttpService}'s constructor).
     */
    static void preRegister() {
        Meters.preRegister("meshshop.payments", PAYMENTS, "outcome", CAPTURED, DECLINED);
        Meters.preRegister("meshshop.refunds", REFUNDS, "outcome", REFUNDED, REJECTED);
    }

    /** A payment recorded: a capture or a decline. */
    static void charged(Payment payment) {
        Spans.tag("payment.id", payment.id().toString());
        Spans.tag("payment.status", payment.status().name());
        Spans.tag("order.id", payment.orderId().toString());
        if (payment.status() == PaymentStatus.DECLINED) {
            Meters.count("meshshop.payments", PAYMENTS, "outcome", DECLINED);
            return;
        }
        Meters.count("meshshop.payments", PAYMENTS, "outcome", CAPTURED);
        Meters.add("meshshop.payments.captured.minor", "Captured amount in minor units, by currency",
                payment.amountMinor(), "currency", payment.currency());
    }

    /** A refund recorded, or refused by the payment's state (over the capture, or of a declined payment). */
    static void refunded(RefundDecision decision) {
        String outcome = switch (decision) {
            case RefundDecision.Refunded refunded -> REFUNDED;
            case RefundDecision.Refused refused -> REJECTED;
        };
        Meters.count("meshshop.refunds", REFUNDS, "outcome", outcome);
    }
}
