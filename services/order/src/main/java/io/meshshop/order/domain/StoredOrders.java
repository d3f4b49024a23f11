package io.meshshop.order.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The orders as the saga needs them stored: read, inserted under their Idempotency-Key, moved by
 * compare-and-set, leased and scheduled. Every write matches only the state it expects, so that instances
 * on one database never move an order twice; {@code store/OrderStore} does it with conditional UPDATEs.
 */
public interface StoredOrders {

    /**
     * Stores a new order with its lines, leased to {@code leaseOwner} (the creating request) and due for
     * recovery at {@code nextAttemptAt}, under {@code key}. False when the customer's key already has an order.
     */
    boolean insert(Order order, String key, String leaseOwner, Instant nextAttemptAt);

    Optional<Order> find(UUID id);

    /** The order a customer placed with an Idempotency-Key: keys are the customer's own. */
    Optional<Order> findByKey(UUID customer, String key);

    /** The order a customer's cancel Idempotency-Key cancelled, if any. */
    Optional<UUID> cancelledWith(UUID customer, String cancelKey);

    /**
     * Applies {@code move} if the order is still exactly {@code current} (state and attempts). A move that
     * settles the order also ends its lease and schedule; one that leaves something owed keeps the lease and
     * makes the order due now, in case the mover stops there.
     *
     * @return the order after the move; empty when it was no longer {@code current} (someone else moved or
     *         rescheduled it)
     * @throws io.meshshop.common.problem.ProblemException 422 when a cancel's key already cancelled another of
     *                                                     the customer's orders
     */
    Optional<Order> apply(Order current, Order.Move move, Instant now);

    /**
     * After an answer that settled nothing: counts the attempt, ends the lease and schedules the next try at
     * {@code nextAttemptAt}, if the order still owes what it owed.
     */
    void reschedule(Order order, Instant nextAttemptAt, Instant now);

    /**
     * Leases a due order to {@code owner} until {@code until}. Exactly one of any number of concurrent claims
     * wins; a lapsed lease (its holder died) can be claimed again.
     */
    boolean claim(UUID id, String owner, Instant now, Instant until);

    /** Ends {@code owner}'s lease if it still holds it. */
    void release(UUID id, String owner);

    /** Orders due for an attempt and leased to nobody, the longest due first. */
    List<UUID> due(Instant now, int limit);

    long countPending();
}
