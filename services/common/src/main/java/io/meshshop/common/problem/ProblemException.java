package io.meshshop.common.problem;

import java.util.List;

/**
 * Thrown by handlers and domain code to answer with a problem document; the routing's error handler
 * writes it. Domain code throws it instead of returning error codes so handlers stay linear.
 */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final Integer retryAfterSeconds;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    public ProblemException(Problem problem, Integer retryAfterSeconds) {
        super(problem.type().slug() + ": " + problem.detail(), null, false, false);
        this.problem = problem;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ProblemException of(ProblemType type, String detail) {
        return new ProblemException(Problem.of(type, detail));
    }

    public static ProblemException validation(List<FieldError> errors) {
        return new ProblemException(new Problem(ProblemType.VALIDATION,
                "One or more fields are invalid; see errors.", errors, java.util.Map.of()));
    }

    public static ProblemException notFound(String what) {
        return of(ProblemType.NOT_FOUND, what + " does not exist");
    }

    public Problem problem() {
        return problem;
    }

    /** Seconds for a {@code Retry-After} header, present on 503 answers. */
    public java.util.Optional<Integer> retryAfterSeconds() {
        return java.util.Optional.ofNullable(retryAfterSeconds);
    }
}
