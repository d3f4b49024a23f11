package io.meshshop.payment.domain;

import java.util.UUID;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/** The order already has a capture; {@code paymentId} names it so the caller can use it instead. */
public final class OrderAlreadyCapturedException extends ProblemException {

    public static final ProblemType TYPE =
            new ProblemType("order-already-captured", "Order already has a captured payment", 409);

    public OrderAlreadyCapturedException(UUID orderId, UUID existingPaymentId) {
        super(Problem.of(TYPE, "Order " + orderId + " was already charged by payment " + existingPaymentId)
                      .with("paymentId", existingPaymentId.toString()));
    }
}
