package io.meshshop.order.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

import io.meshshop.common.observe.Meters;
import io.meshshop.order.clients.ForwardedHeaders;
import io.meshshop.order.clients.PaymentClient;
import io.meshshop.order.store.OrderStore;

/**
 * Settles what an order owes the payment service, as far as payment answers now. The same code serves the
 * request that creates the order, a cancel, and recovery; the caller holds the order's lease.
 *
 * <p>Exactly once, across instances: the charge and the refund are each sent under one key derived from
 * the order id, so payment makes at most one of each however often they are sent; each answer moves the
 * order only from the state it was computed for (a compare-and-set in the store).
 */
public final class Settlement {

    /** A charge, then the refund of a capture found while cancelling, plus a re-read or two. */
    private static final int MAX_STEPS = 6;

    private final OrderStore store;
    private final PaymentClient payments;
    private final Clock clock;
    private final Schedule schedule;

    public Settlement(OrderStore store, PaymentClient payments, Clock clock, Schedule schedule) {
        this.store = store;
        this.payments = payments;
        this.clock = clock;
        this.schedule = schedule;
    }

    /**
     * Sends what {@code order} owes and applies the answers until it owes nothing or an answer is unknown,
     * in which case the order is scheduled for recovery. Ends {@code leaseOwner}'s lease.
     *
     * @return the order as it stands afterwards
     */
    public Order settle(Order order, ForwardedHeaders headers, String leaseOwner) {
        Order current = order;
        PaymentOutcome answer = null;
        for (int step = 0; step < MAX_STEPS && current.owed() != null; step++) {
            if (answer == null) {
                answer = current.owed() == Owed.CHARGE ? payments.charge(current, headers)
                        : payments.refund(current, headers);
            }
            Optional<Order.Move> move = current.after(answer);
            if (move.isEmpty()) {
                if (answer instanceof PaymentOutcome.Unknown) {
                    // Ends the lease too, unless someone moved the order meanwhile: then release() below does.
                    store.reschedule(current, now().plus(schedule.age()), now());
                    current = reload(current);
                    break;
                }
                // An answer about something no longer owed (another instance moved the order): ask anew.
                answer = null;
                continue;
            }
            Optional<Order> moved = store.apply(current, move.get(), true, now());
            if (moved.isPresent()) {
                counted(move.get());
                answer = null;
                // What the store now holds: the update matched exactly this order, so no need to read it.
                current = moved.get();
            } else {
                // Someone else moved it: continue from the stored state, trying the same answer against it.
                current = reload(current);
            }
        }
        // A settled order has no lease left to end: every move that settles one ends the lease with it.
        if (current.owed() != null) {
            store.release(current.id(), leaseOwner);
        }
        return current;
    }

    private Order reload(Order order) {
        return store.find(order.id()).orElseThrow();
    }

    /** Counts orders reaching a state that is final for the money. */
    static void counted(Order.Move move) {
        if (move.settles()) {
            Meters.count("meshshop.orders", "Orders by the final state they reached",
                    "status", move.toStatus().name().toLowerCase(Locale.ROOT));
        }
    }

    private Instant now() {
        return now(clock);
    }

    /** Microseconds: what both H2 and PostgreSQL keep, so a value read back equals the one written. */
    static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
