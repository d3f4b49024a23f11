package io.meshshop.order.clients;

import java.io.IOException;
import java.util.UUID;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;
import io.meshshop.order.domain.Customers;
import io.meshshop.order.domain.UnknownUserException;

import io.helidon.config.Config;

/**
 * The user service ({@code user.service.url}, in the cluster {@code http://user:8080}): does a customer exist?
 * Asked for a request, with the request's headers, the customer's own token included ({@link #forRequest}).
 */
public final class UserClient implements Customers {

    private static final System.Logger LOG = System.getLogger(UserClient.class.getName());

    private final Dependency client;
    private final ForwardedHeaders headers;

    private UserClient(Dependency client, ForwardedHeaders headers) {
        this.client = client;
        this.headers = headers;
    }

    public static UserClient create(Config service) {
        return new UserClient(Dependency.create(service), ForwardedHeaders.none());
    }

    /** The same client (and connections), sending the headers of the request it works for. */
    public UserClient forRequest(ForwardedHeaders requestHeaders) {
        return new UserClient(client, requestHeaders);
    }

    /**
     * Returns if the customer exists.
     *
     * @throws UnknownUserException when user answers that there is no such user (a 404 problem document; a
     *                              bare 404 may be a mesh without a route, which is not an answer about the user)
     * @throws ProblemException     503 with Retry-After when user cannot answer: unreachable, too slow, 5xx
     */
    @Override
    public void requireExists(UUID userId) {
        Dependency.Answer answer;
        try {
            answer = client.get("/api/users/" + userId, headers::applyTo);
        } catch (IOException | RuntimeException e) {
            throw unavailable("unreachable", e);
        }
        if (answer.status() == 200) {
            return;
        }
        if (answer.status() == 404 && answer.problemType().equals(ProblemType.NOT_FOUND.slug())) {
            throw new UnknownUserException(userId);
        }
        throw unavailable("answered " + answer.status() + " " + answer.problemType(), null);
    }

    private static ProblemException unavailable(String why, Throwable failure) {
        LOG.log(System.Logger.Level.WARNING, "user service unavailable: " + why, failure);
        return new ProblemException(Problem.of(ProblemType.DEPENDENCY_UNAVAILABLE,
                        "The user service could not be asked about the user; nothing was stored, try again shortly")
                .with("dependency", "user"), Problems.RETRY_AFTER_SECONDS);
    }
}
