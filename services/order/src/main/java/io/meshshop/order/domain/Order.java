package io.meshshop.order.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An order and where it stands with the payment service. The moves below are the whole state machine
 * (drawn in {@link OrderStatus}); the store applies each one only if the order is still in the state the
 * move starts from, so concurrent requests and recovery passes on any instance can never move an order
 * twice or backwards.
 *
 * @param owed        what must still happen at payment before the order is settled, or null
 * @param attempts    charge and refund calls that came back, with any answer
 * @param fingerprint of the request that created the order, to tell a replay from a reused key
 * @param leaseUntil  until when someone settles the order (the creating request, a cancel or recovery)
 */
public record Order(UUID id, UUID userId, OrderStatus status, Owed owed, List<OrderLine> lines, long totalMinor,
                    String currency, UUID paymentId, UUID refundId, int attempts, Instant createdAt,
                    Instant updatedAt, String fingerprint, Instant leaseUntil) {

    public Order {
        lines = List.copyOf(lines);
    }

    /** A new order: stored PENDING, owing its charge. */
    public static Order place(UUID userId, List<OrderLine> lines, String currency, Instant now, String fingerprint,
                              Instant leaseUntil) {
        long total = 0;
        for (OrderLine line : lines) {
            total = Math.addExact(total, line.totalMinor());
        }
        return new Order(UUID.randomUUID(), userId, OrderStatus.PENDING, Owed.CHARGE, lines, total, currency, null,
                null, 0, now, now, fingerprint, leaseUntil);
    }

    /**
     * The charge's Idempotency-Key at payment. Derived from the order id, so every send of this order's
     * charge (the first, the mesh's retry, each recovery pass, a cancel) is the same charge.
     */
    /**
     * Whether {@code userId} may see and act on this order: only its customer. Everyone else is answered as
     * if the order did not exist, so order ids tell nothing to whoever guesses or sees one.
     */
    public boolean belongsTo(UUID customer) {
        return userId.equals(customer);
    }

    public String chargeKey() {
        return "order-" + id + "-charge";
    }

    /** The full refund's Idempotency-Key at payment; one refund per order, whoever sends it how often. */
    public String refundKey() {
        return "order-" + id + "-refund";
    }

    /** True while the request that created the order still waits for its first charge answer. */
    public boolean chargeInFlight(Instant now) {
        return status == OrderStatus.PENDING && attempts == 0 && leaseUntil != null && leaseUntil.isAfter(now);
    }

    /**
     * The move a payment answer makes, or empty when it settles nothing: an unknown outcome, or an answer
     * about something this order no longer owes (someone else settled it meanwhile).
     */
    public Optional<Move> after(PaymentOutcome outcome) {
        if (owed == Owed.CHARGE) {
            boolean cancelling = status == OrderStatus.CANCELLING;
            return switch (outcome) {
                // A capture of a cancelled order is never kept: it becomes a refund the order owes.
                case PaymentOutcome.Captured c -> Optional.of(cancelling
                        ? move(OrderStatus.CANCELLING, Owed.REFUND).paymentId(c.paymentId())
                        : move(OrderStatus.PAID, null).paymentId(c.paymentId()));
                case PaymentOutcome.Declined d -> Optional.of(
                        move(cancelling ? OrderStatus.CANCELLED : OrderStatus.PAYMENT_DECLINED, null)
                                .paymentId(d.paymentId()));
                default -> Optional.empty();
            };
        }
        if (owed == Owed.REFUND && outcome instanceof PaymentOutcome.Refunded r) {
            return Optional.of(move(OrderStatus.CANCELLED, null).refundId(r.refundId()));
        }
        return Optional.empty();
    }

    /**
     * The move a cancel makes; empty when the order is already cancelling or cancelled, which a repeated
     * cancel answers as it stands. A PENDING order owes its charge still: its outcome is settled and a
     * capture refunded. A PAID order owes the refund of its capture.
     */
    public Optional<Move> cancel(String cancelKey) {
        return switch (status) {
            case PENDING -> Optional.of(move(OrderStatus.CANCELLING, Owed.CHARGE).cancelKey(cancelKey));
            case PAID -> Optional.of(move(OrderStatus.CANCELLING, Owed.REFUND).cancelKey(cancelKey));
            case CANCELLING, CANCELLED -> Optional.empty();
            case PAYMENT_DECLINED -> throw new OrderNotCancellableException(id);
        };
    }

    /**
     * This order after {@code move} was applied to it at {@code now}: what the store holds once its
     * compare-and-set matched, so the caller need not read the order back. The match is on state and
     * attempts; the ids follow from the state (the state machine has no cycles) and the rest never changes,
     * except the lease, which a settling move ends and any other leaves to whoever holds it.
     */
    public Order moved(Move move, boolean countsAsAttempt, Instant now) {
        if (move.fromStatus() != status || move.fromOwed() != owed) {
            throw new IllegalArgumentException("Move " + move + " does not start from " + status + "/" + owed);
        }
        return new Order(id, userId, move.toStatus(), move.toOwed(), lines, totalMinor, currency,
                move.paymentId() != null ? move.paymentId() : paymentId,
                move.refundId() != null ? move.refundId() : refundId,
                countsAsAttempt ? attempts + 1 : attempts, createdAt, now, fingerprint,
                move.settles() ? null : leaseUntil);
    }

    private Move move(OrderStatus toStatus, Owed toOwed) {
        return new Move(status, owed, toStatus, toOwed, null, null, null);
    }

    /**
     * A compare-and-set on the order's state: from (status, owed) to (status, owed), setting the given
     * ids (null leaves a column as it is).
     */
    public record Move(OrderStatus fromStatus, Owed fromOwed, OrderStatus toStatus, Owed toOwed,
                       UUID paymentId, UUID refundId, String cancelKey) {

        Move paymentId(UUID id) {
            return new Move(fromStatus, fromOwed, toStatus, toOwed, id, refundId, cancelKey);
        }

        Move refundId(UUID id) {
            return new Move(fromStatus, fromOwed, toStatus, toOwed, paymentId, id, cancelKey);
        }

        Move cancelKey(String key) {
            return new Move(fromStatus, fromOwed, toStatus, toOwed, paymentId, refundId, key);
        }

        /** True when the order owes nothing afterwards. */
        public boolean settles() {
            return toOwed == null;
        }
    }
}
