package io.meshshop.order.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An order and where it stands with the payment service. The moves below are the whole state machine
 * (drawn in {@link OrderStatus}); the store applies each one only if the order is still exactly as the
 * mover read it, so concurrent requests and recovery passes on any instance can never move an order twice
 * or backwards.
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
     * Whether {@code customer} may see and act on this order: only its customer. Everyone else is answered as
     * if the order did not exist, so order ids tell nothing to whoever guesses or sees one.
     */
    public boolean belongsTo(UUID customer) {
        return userId.equals(customer);
    }

    /**
     * The charge's Idempotency-Key at payment. Derived from the order id, so every send of this order's
     * charge (the first, the mesh's retry, each recovery pass, a cancel) is the same charge.
     */
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
     * about something this order does not owe (someone else settled it meanwhile).
     */
    public Optional<Move> after(PaymentOutcome outcome) {
        if (owed == Owed.CHARGE) {
            boolean cancelling = status == OrderStatus.CANCELLING;
            return switch (outcome) {
                // A capture of a cancelled order is never kept: it becomes a refund the order owes.
                case PaymentOutcome.Captured c -> Optional.of(cancelling
                        ? new Move.CaptureToRefund(c.paymentId())
                        : new Move.ChargeSettled(status, OrderStatus.PAID, c.paymentId()));
                case PaymentOutcome.Declined d -> Optional.of(new Move.ChargeSettled(status,
                        cancelling ? OrderStatus.CANCELLED : OrderStatus.PAYMENT_DECLINED, d.paymentId()));
                default -> Optional.empty();
            };
        }
        if (owed == Owed.REFUND && outcome instanceof PaymentOutcome.Refunded r) {
            return Optional.of(new Move.Refunded(r.refundId()));
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
            case PENDING, PAID -> Optional.of(new Move.Cancel(status, cancelKey));
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
    public Order moved(Move move, Instant now) {
        if (move.fromStatus() != status || move.fromOwed() != owed) {
            throw new IllegalArgumentException("Move " + move + " does not start from " + status + "/" + owed);
        }
        UUID newPaymentId = switch (move) {
            case Move.ChargeSettled m -> m.paymentId();
            case Move.CaptureToRefund m -> m.paymentId();
            default -> paymentId;
        };
        UUID newRefundId = move instanceof Move.Refunded m ? m.refundId() : refundId;
        return new Order(id, userId, move.toStatus(), move.toOwed(), lines, totalMinor, currency, newPaymentId,
                newRefundId, move.isAnswer() ? attempts + 1 : attempts, createdAt, now, fingerprint,
                move.settles() ? null : leaseUntil);
    }

    /**
     * A compare-and-set on the order's state, from (status, owed) to (status, owed). Each kind is one fixed
     * statement in the store, so that what a move writes can be read off its statement.
     */
    public sealed interface Move {

        OrderStatus fromStatus();

        Owed fromOwed();

        OrderStatus toStatus();

        Owed toOwed();

        /** True when the move records a payment answer, which counts as an attempt; a cancel does not. */
        default boolean isAnswer() {
            return !(this instanceof Cancel);
        }

        /** True when the order owes nothing afterwards. */
        default boolean settles() {
            return toOwed() == null;
        }

        /**
         * The charge has an outcome that settles the order: captured, PENDING becomes PAID; declined, PENDING
         * becomes PAYMENT_DECLINED and CANCELLING becomes CANCELLED.
         */
        record ChargeSettled(OrderStatus fromStatus, OrderStatus toStatus, UUID paymentId) implements Move {
            public ChargeSettled {
                boolean valid = fromStatus == OrderStatus.PENDING
                        ? toStatus == OrderStatus.PAID || toStatus == OrderStatus.PAYMENT_DECLINED
                        : fromStatus == OrderStatus.CANCELLING && toStatus == OrderStatus.CANCELLED;
                if (!valid) {
                    throw new IllegalArgumentException(
                            "A charge's outcome does not move " + fromStatus + " to " + toStatus);
                }
            }

            @Override
            public Owed fromOwed() {
                return Owed.CHARGE;
            }

            @Override
            public Owed toOwed() {
                return null;
            }
        }

        /** The charge of a CANCELLING order was captured: its refund is owed now. */
        record CaptureToRefund(UUID paymentId) implements Move {
            @Override
            public OrderStatus fromStatus() {
                return OrderStatus.CANCELLING;
            }

            @Override
            public Owed fromOwed() {
                return Owed.CHARGE;
            }

            @Override
            public OrderStatus toStatus() {
                return OrderStatus.CANCELLING;
            }

            @Override
            public Owed toOwed() {
                return Owed.REFUND;
            }
        }

        /** The capture of a CANCELLING order was refunded in full: it is CANCELLED. */
        record Refunded(UUID refundId) implements Move {
            @Override
            public OrderStatus fromStatus() {
                return OrderStatus.CANCELLING;
            }

            @Override
            public Owed fromOwed() {
                return Owed.REFUND;
            }

            @Override
            public OrderStatus toStatus() {
                return OrderStatus.CANCELLED;
            }

            @Override
            public Owed toOwed() {
                return null;
            }
        }

        /**
         * A cancel under {@code cancelKey}: a PENDING order becomes CANCELLING still owing its charge's
         * outcome, a PAID one CANCELLING owing the refund of its capture.
         */
        record Cancel(OrderStatus fromStatus, String cancelKey) implements Move {
            public Cancel {
                if (fromStatus != OrderStatus.PENDING && fromStatus != OrderStatus.PAID) {
                    throw new IllegalArgumentException("Only a PENDING or PAID order is cancelled, not " + fromStatus);
                }
            }

            @Override
            public Owed fromOwed() {
                return fromStatus == OrderStatus.PENDING ? Owed.CHARGE : null;
            }

            @Override
            public OrderStatus toStatus() {
                return OrderStatus.CANCELLING;
            }

            @Override
            public Owed toOwed() {
                return fromStatus == OrderStatus.PENDING ? Owed.CHARGE : Owed.REFUND;
            }
        }
    }
}
