package io.meshshop.payment.domain;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/** A declined payment took no money, so there is nothing to refund. */
public final class PaymentNotRefundableException extends ProblemException {

    public static final ProblemType TYPE =
            new ProblemType("payment-not-refundable", "Payment cannot be refunded", 409);

    public PaymentNotRefundableException(Payment payment) {
        super(Problem.of(TYPE, "Payment " + payment.id() + " is " + payment.status()
                               + "; only captured payments can be refunded")
                      .with("paymentId", payment.id().toString())
                      .with("status", payment.status().name()));
    }
}
