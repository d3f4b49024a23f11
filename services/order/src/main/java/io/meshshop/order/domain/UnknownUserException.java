package io.meshshop.order.domain;

import java.util.UUID;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/** The user service does not know the user: the request is well-formed but cannot be an order. */
public final class UnknownUserException extends ProblemException {

    public static final ProblemType TYPE = new ProblemType("unknown-user", "User does not exist", 422);

    public UnknownUserException(UUID userId) {
        super(Problem.of(TYPE, "There is no user " + userId + "; nothing was stored").with("userId", userId.toString()));
    }
}
