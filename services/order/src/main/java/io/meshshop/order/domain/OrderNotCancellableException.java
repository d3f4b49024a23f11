package io.meshshop.order.domain;

import java.util.UUID;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/** A declined order took no money and is already over: there is nothing to cancel. */
public final class OrderNotCancellableException extends ProblemException {

    public static final ProblemType TYPE = new ProblemType("order-not-cancellable", "Order cannot be cancelled", 409);

    public OrderNotCancellableException(UUID orderId) {
        super(Problem.of(TYPE, "Order " + orderId + " was declined by payment; it took no money and is already final")
                .with("orderId", orderId.toString()));
    }
}
