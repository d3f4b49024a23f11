package io.meshshop.payment.domain;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/** The refund would take the refunded total above the captured amount. */
public final class RefundExceedsCaptureException extends ProblemException {

    public static final ProblemType TYPE =
            new ProblemType("refund-exceeds-capture", "Refund exceeds what remains of the capture", 409);

    public RefundExceedsCaptureException(Payment payment, long requestedMinor) {
        super(Problem.of(TYPE, "A refund of " + requestedMinor + " exceeds the " + payment.refundableMinor()
                               + " " + payment.currency() + " minor units still refundable")
                      .with("paymentId", payment.id().toString())
                      .with("refundableMinor", payment.refundableMinor()));
    }
}
