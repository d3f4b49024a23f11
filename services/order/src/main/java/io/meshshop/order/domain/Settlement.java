package io.meshshop.order.domain;

import java.time.Clock;
import java.util.Optional;

/**
 * Settles what an order owes the payment service, as far as payment answers now. The same code serves the
 * request that creates the order, a cancel, and recovery; the caller holds the order's lease.
 *
 * <p>Exactly once, across instances: the charge and the refund are each sent under one key derived from
 * the order id, so payment makes at most one of each however often they are sent; each answer moves the
 * order only from the state it was read in (a compare-and-set in the store).
 *
 * <p>Two steps, each a decision of its own: {@link #send} sends what the order owes; {@link #apply} applies
 * the answer and says what became of the order ({@link Applied}). {@link #settle} repeats them while the
 * order owes something and payment answers.
 */
public final class Settlement {

    private final StoredOrders orders;
    /** A {@code MicrosecondClock}: what is stored is what the moved order says. */
    private final Clock clock;
    private final Schedule schedule;
    private final OrderMetrics metrics;

    public Settlement(StoredOrders orders, Clock clock, Schedule schedule, OrderMetrics metrics) {
        this.orders = orders;
        this.clock = clock;
        this.schedule = schedule;
        this.metrics = metrics;
    }

    /** What one answer did to the order; {@code order()} is the order as stored afterwards. */
    public sealed interface Applied {

        Order order();

        /** The answer moved the order; it may owe more (a capture found while cancelling owes its refund). */
        record Moved(Order order) implements Applied {
        }

        /** The answer was not definite: the attempt is counted, the lease ended, recovery tries again later. */
        record Rescheduled(Order order) implements Applied {
        }

        /**
         * The answer was about something the stored order no longer owes: someone else settled that part
         * meanwhile (another instance whose lease had lapsed), and the order owes something else or nothing.
         */
        record Outdated(Order order) implements Applied {
        }
    }

    /**
     * Sends what {@code order} owes and applies the answers until it owes nothing or an answer is not
     * definite, in which case recovery settles it later. Ends {@code leaseOwner}'s lease.
     *
     * <p>It ends without a step limit: every pass either moves the order forward ({@code Moved}), finds it
     * moved forward by someone else ({@code Outdated}: an answer can only be outdated when the order's state
     * changed), or stops ({@code Rescheduled}); and the state machine has no cycles.
     *
     * @return the order as it stands afterwards
     */
    public Order settle(Order order, PaymentGateway payments, String leaseOwner) {
        Order current = order;
        while (current.owed() != null) {
            Applied applied = apply(current, send(current, payments));
            current = applied.order();
            if (applied instanceof Applied.Rescheduled) {
                break;
            }
        }
        // A settled order has no lease left to end: every move that settles one ends the lease with it.
        if (current.owed() != null) {
            orders.release(current.id(), leaseOwner);
        }
        return current;
    }

    /** Sends what {@code order} owes: its charge, or the refund of its capture. */
    public PaymentOutcome send(Order order, PaymentGateway payments) {
        return switch (order.owed()) {
            case CHARGE -> payments.charge(order);
            case REFUND -> payments.refund(order);
        };
    }

    /**
     * Applies {@code answer}, the answer to what {@code sentFor} owed when it was sent. A definite answer
     * moves the order as stored; when a compare-and-set finds the order changed meanwhile (a cancel arrived,
     * or a lapsed lease let someone else try), the same answer is applied to the order as it now stands,
     * since payment's answer stays true. An answer that is not definite (or that does not fit what was sent)
     * reschedules the order.
     */
    public Applied apply(Order sentFor, PaymentOutcome answer) {
        Optional<Order.Move> move = sentFor.after(answer);
        if (move.isEmpty()) {
            // Ends the lease too, unless someone moved the order meanwhile: then settle() releases it.
            orders.reschedule(sentFor, clock.instant().plus(schedule.age()), clock.instant());
            return new Applied.Rescheduled(reload(sentFor));
        }
        Order current = sentFor;
        while (true) {
            Optional<Order> moved = orders.apply(current, move.get(), clock.instant());
            if (moved.isPresent()) {
                if (move.get().settles()) {
                    metrics.settled(moved.get());
                }
                // What the store now holds: the update matched exactly this order, so no need to read it.
                return new Applied.Moved(moved.get());
            }
            current = reload(current);
            move = current.after(answer);
            if (move.isEmpty()) {
                return new Applied.Outdated(current);
            }
        }
    }

    private Order reload(Order order) {
        return orders.find(order.id()).orElseThrow();
    }
}
