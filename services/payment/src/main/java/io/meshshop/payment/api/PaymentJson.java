package io.meshshop.payment.api;

import java.util.UUID;

import io.meshshop.common.idempotency.Reply;
import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.json.JsonInput;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.payment.domain.Payment;
import io.meshshop.payment.domain.PaymentStatus;
import io.meshshop.payment.domain.Refund;
import io.meshshop.payment.domain.RefundDecision;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/** The JSON shapes of the payment API. Amounts are integers in minor units, never decimals. */
final class PaymentJson {

    /** 10^12 minor units: ten billion euros, far above any order, far below where a long overflows. */
    static final long MAX_AMOUNT_MINOR = 1_000_000_000_000L;

    /**
     * A decline is an answer, not a failure: it is recorded, so it is returned from the effect (committing
     * the payment row with the stored response) rather than thrown (which would roll the row back).
     */
    static final ProblemType DECLINED = new ProblemType("payment-declined", "Payment declined", 402);

    private PaymentJson() {
    }

    /** Body of {@code POST /api/payments}. */
    record Charge(UUID orderId, UUID userId, long amountMinor, String currency) {
        static Charge from(JsonInput in) {
            UUID orderId = in.requiredUuid("orderId");
            UUID userId = in.requiredUuid("userId");
            long amountMinor = in.requiredLong("amountMinor", 1, MAX_AMOUNT_MINOR);
            String currency = in.requiredCurrency("currency");
            in.validate();
            return new Charge(orderId, userId, amountMinor, currency);
        }
    }

    /** Body of {@code POST /api/payments/{id}/refunds}: the refund is in the payment's currency. */
    record RefundRequest(long amountMinor) {
        static RefundRequest from(JsonInput in) {
            long amountMinor = in.requiredLong("amountMinor", 1, MAX_AMOUNT_MINOR);
            in.validate();
            return new RefundRequest(amountMinor);
        }
    }

    /** 201 with the capture, or 402 naming the declined payment. */
    static Reply charged(Payment payment) {
        if (payment.status() == PaymentStatus.DECLINED) {
            return Reply.problem(Problem.of(DECLINED, "The acquirer declined the payment: " + payment.declineReason())
                    .with("paymentId", payment.id().toString())
                    .with("declineReason", payment.declineReason()));
        }
        return Reply.created(location(payment), payment(payment));
    }

    /** 201 with the refund, or 409 saying why the payment refused it. */
    static Reply refunded(RefundDecision decision) {
        return switch (decision) {
            case RefundDecision.Refunded refunded -> Reply.created(location(refunded.refund()), refund(refunded.refund()));
            case RefundDecision.Refused refused -> Reply.problem(refused.problem());
        };
    }

    static JsonObject payment(Payment payment) {
        JsonObjectBuilder json = JsonFactories.object()
                .add("id", payment.id().toString())
                .add("orderId", payment.orderId().toString())
                .add("userId", payment.userId().toString())
                .add("amountMinor", payment.amountMinor())
                .add("currency", payment.currency())
                .add("status", payment.status().name())
                .add("refundedMinor", payment.refundedMinor())
                .add("createdAt", payment.createdAt().toString());
        if (payment.declineReason() != null) {
            json.add("declineReason", payment.declineReason());
        }
        return json.build();
    }

    static JsonObject refund(Refund refund) {
        return JsonFactories.object()
                .add("id", refund.id().toString())
                .add("paymentId", refund.paymentId().toString())
                .add("amountMinor", refund.amountMinor())
                .add("currency", refund.currency())
                .add("createdAt", refund.createdAt().toString())
                .build();
    }

    private static String location(Payment payment) {
        return "/api/payments/" + payment.id();
    }

    private static String location(Refund refund) {
        return "/api/payments/" + refund.paymentId() + "/refunds/" + refund.id();
    }
}
