package io.meshshop.common.problem;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Thrown by handlers and domain code to answer with a problem document; the routing's error handler
 * writes it. Domain code throws it instead of returning error codes so handlers stay linear.
 */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final Integer retryAfterSeconds;
    private final Map<String, String> headers;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    public ProblemException(Problem problem, Integer retryAfterSeconds) {
        this(problem, retryAfterSeconds, Map.of());
    }

    /** With response headers the problem needs besides Retry-After, such as {@code WWW-Authenticate}. */
    public ProblemException(Problem problem, Integer retryAfterSeconds, Map<String, String> headers) {
        super(problem.type().slug() + ": " + problem.detail(), null, false, false);
        this.problem = problem;
        this.retryAfterSeconds = retryAfterSeconds;
        this.headers = Map.copyOf(headers);
    }

    public static ProblemException of(ProblemType type, String detail) {
        return new ProblemException(Problem.of(type, detail));
    }

    public static ProblemException validation(List<FieldError> errors) {
        return new ProblemException(new Problem(ProblemType.VALIDATION,
                "One or more fields are invalid; see errors.", errors, Map.of()));
    }

    /** A 400 validation problem about one field, query parameter or path parameter. */
    public static ProblemException invalid(String field, String message) {
        return validation(List.of(new FieldError(field, message)));
    }

    public static ProblemException notFound(String what) {
        return of(ProblemType.NOT_FOUND, what + " does not exist");
    }

    public Problem problem() {
        return problem;
    }

    /** Headers to send with the problem (name to value), besides Retry-After. */
    public Map<String, String> headers() {
        return headers;
    }

    /** Seconds for a {@code Retry-After} header, present on 503 answers. */
    public Optional<Integer> retryAfterSeconds() {
        return Optional.ofNullable(retryAfterSeconds);
    }
}
