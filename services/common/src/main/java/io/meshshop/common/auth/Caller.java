package io.meshshop.common.auth;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/**
 * Who sent a request, as its verified bearer token says: the customer ({@code sub}, a user id) and what the
 * token allows ({@code scope}). Handlers take the caller from here, never from a body field or a query
 * parameter, so a client cannot act for someone else by naming them.
 *
 * @param userId the token's subject
 * @param scopes the token's space-separated {@code scope} claim
 */
public record Caller(UUID userId, Set<String> scopes) {

    /** What every token that sign-in issues allows: acting on the customer's own data. */
    public static final String CUSTOMER = "customer";
    /** Operators' extra scope: listing users and finding them by e-mail. Sign-in grants it by configuration only. */
    public static final String ADMIN = "admin";

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    public boolean has(String scope) {
        return scopes.contains(scope);
    }

    /** Refuses the request with {@code 403} (RFC 6750 {@code insufficient_scope}) unless the token has {@code scope}. */
    public void require(String scope) {
        if (!has(scope)) {
            throw new ProblemException(Problem.of(ProblemType.FORBIDDEN, "This request needs the scope '" + scope
                    + "', which the token does not have"), null,
                    Map.of("WWW-Authenticate", BearerTokens.CHALLENGE + ", error=\"insufficient_scope\", scope=\""
                            + scope + "\""));
        }
    }
}
