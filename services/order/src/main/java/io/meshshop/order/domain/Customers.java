package io.meshshop.order.domain;

import java.util.UUID;

/**
 * Whether a customer still exists, as the user service answers it for the request being served
 * ({@code clients/UserClient}, which forwards the customer's own token).
 */
public interface Customers {

    /**
     * Returns if the customer exists.
     *
     * @throws UnknownUserException when the user service says there is no such customer
     * @throws io.meshshop.common.problem.ProblemException 503 with Retry-After when it cannot answer
     */
    void requireExists(UUID customer);
}
