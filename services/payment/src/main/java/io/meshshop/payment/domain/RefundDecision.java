package io.meshshop.payment.domain;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemType;

/**
 * What a refund request decided. A refusal is an answer, not a failure: like a decline it is returned from the
 * effect, so it is stored (and replayed) with the key in the same transaction, and counted once it committed.
 */
public sealed interface RefundDecision {

    ProblemType NOT_REFUNDABLE = new ProblemType("payment-not-refundable", "Payment cannot be refunded", 409);
    ProblemType EXCEEDS_CAPTURE =
            new ProblemType("refund-exceeds-capture", "Refund exceeds what remains of the capture", 409);

    /** The refund was recorded. */
    record Refunded(Refund refund) implements RefundDecision {
    }

    /** Nothing was refunded; {@code problem} says why. */
    record Refused(Problem problem) implements RefundDecision {
    }

    /** A declined payment took no money, so there is nothing to refund. */
    static Refused notRefundable(Payment payment) {
        return new Refused(Problem.of(NOT_REFUNDABLE, "Payment " + payment.id() + " is " + payment.status()
                                                     + "; only captured payments can be refunded")
                .with("paymentId", payment.id().toString())
                .with("status", payment.status().name()));
    }

    /** The refund would take the refunded total above the captured amount. */
    static Refused exceedsCapture(Payment payment, long requestedMinor) {
        return new Refused(Problem.of(EXCEEDS_CAPTURE, "A refund of " + requestedMinor + " exceeds the "
                                                      + payment.refundableMinor() + " " + payment.currency()
                                                      + " minor units still refundable")
                .with("paymentId", payment.id().toString())
                .with("refundableMinor", payment.refundableMinor()));
    }
}
