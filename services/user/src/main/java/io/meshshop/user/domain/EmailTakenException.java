package io.meshshop.user.domain;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/** Another user already has this e-mail address. */
public final class EmailTakenException extends ProblemException {

    public static final ProblemType TYPE = new ProblemType("email-taken", "E-mail address is already registered", 409);

    public EmailTakenException() {
        super(Problem.of(TYPE, "A user with this e-mail address already exists"));
    }
}
