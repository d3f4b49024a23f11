package io.meshshop.common.problem;

/**
 * A stable kind of failure. Clients branch on {@link #uri()}, never on the human title or detail, so a
 * type once published never changes its slug.
 *
 * @param slug   last segment of the type URI
 * @param title  short human summary, the same for every occurrence of this type
 * @param status the HTTP status this type is answered with
 */
public record ProblemType(String slug, String title, int status) {

    /** Where problem types live; a URI that names, it is not fetched by clients. */
    public static final String BASE_URI = "https://meshshop.dev/problems/";

    public static final ProblemType VALIDATION = new ProblemType("validation", "Request is not valid", 400);
    public static final ProblemType MALFORMED_JSON = new ProblemType("malformed-json", "Body is not valid JSON", 400);
    public static final ProblemType BAD_REQUEST = new ProblemType("bad-request", "Bad request", 400);
    public static final ProblemType INVALID_IDEMPOTENCY_KEY =
            new ProblemType("invalid-idempotency-key", "Idempotency-Key header is not valid", 400);
    public static final ProblemType IDEMPOTENCY_KEY_REQUIRED =
            new ProblemType("idempotency-key-required", "Idempotency-Key header is required", 400);
    public static final ProblemType UNAUTHENTICATED =
            new ProblemType("unauthenticated", "A valid bearer token is required", 401);
    public static final ProblemType FORBIDDEN =
            new ProblemType("forbidden", "The token does not allow this request", 403);
    public static final ProblemType NOT_FOUND = new ProblemType("not-found", "Resource not found", 404);
    public static final ProblemType METHOD_NOT_ALLOWED = new ProblemType("method-not-allowed", "Method not allowed", 405);
    public static final ProblemType IDEMPOTENCY_IN_FLIGHT =
            new ProblemType("idempotency-in-flight", "A request with this Idempotency-Key is still in progress", 409);
    public static final ProblemType IDEMPOTENCY_KEY_REUSED =
            new ProblemType("idempotency-key-reused", "Idempotency-Key was used for a different request", 422);
    public static final ProblemType PAYLOAD_TOO_LARGE = new ProblemType("payload-too-large", "Request body is too large", 413);
    public static final ProblemType UNSUPPORTED_MEDIA_TYPE =
            new ProblemType("unsupported-media-type", "Content-Type must be application/json", 415);
    public static final ProblemType INTERNAL = new ProblemType("internal", "Internal error", 500);
    public static final ProblemType DATABASE_UNAVAILABLE =
            new ProblemType("database-unavailable", "Database is unavailable", 503);
    public static final ProblemType DEPENDENCY_UNAVAILABLE =
            new ProblemType("dependency-unavailable", "A service this request depends on is unavailable", 503);

    public String uri() {
        return BASE_URI + slug;
    }
}
