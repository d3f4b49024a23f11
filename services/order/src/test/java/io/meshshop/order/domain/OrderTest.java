package io.meshshop.order.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The state machine on its own: every move an answer or a cancel makes, and the ones it refuses. */
class OrderTest {

    private static final UUID PAYMENT = UUID.randomUUID();
    private static final UUID REFUND = UUID.randomUUID();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aPendingOrderIsPaidOrDeclinedByItsCharge() {
        Order pending = order(OrderStatus.PENDING, Owed.CHARGE);
        assertMove(pending.after(new PaymentOutcome.Captured(PAYMENT)), OrderStatus.PAID, null);
        assertMove(pending.after(new PaymentOutcome.Declined(PAYMENT)), OrderStatus.PAYMENT_DECLINED, null);
        assertThat("an unknown outcome moves nothing",
                pending.after(new PaymentOutcome.Unknown("timeout")), is(Optional.empty()));
        assertThat("a refund is no answer to a charge",
                pending.after(new PaymentOutcome.Refunded(REFUND)), is(Optional.empty()));
        assertThat("the move records the capture", pending.after(new PaymentOutcome.Captured(PAYMENT)),
                is(Optional.of(new Order.Move.ChargeSettled(OrderStatus.PENDING, OrderStatus.PAID, PAYMENT))));
    }

    @Test
    void aCaptureOfACancelledOrderBecomesARefundNeverAPaidOrder() {
        Order cancelling = order(OrderStatus.CANCELLING, Owed.CHARGE);
        assertMove(cancelling.after(new PaymentOutcome.Captured(PAYMENT)), OrderStatus.CANCELLING, Owed.REFUND);
        assertMove(cancelling.after(new PaymentOutcome.Declined(PAYMENT)), OrderStatus.CANCELLED, null);
        Order refunding = order(OrderStatus.CANCELLING, Owed.REFUND);
        assertMove(refunding.after(new PaymentOutcome.Refunded(REFUND)), OrderStatus.CANCELLED, null);
        assertThat("a capture is no answer to a refund",
                refunding.after(new PaymentOutcome.Captured(PAYMENT)), is(Optional.empty()));
    }

    @Test
    void cancelMovesPendingAndPaidOrdersRepeatsNothingAndRefusesDeclinedOnes() {
        assertMove(order(OrderStatus.PENDING, Owed.CHARGE).cancel("k"), OrderStatus.CANCELLING, Owed.CHARGE);
        assertMove(order(OrderStatus.PAID, null).cancel("k"), OrderStatus.CANCELLING, Owed.REFUND);
        assertThat("a cancelling order is not cancelled again",
                order(OrderStatus.CANCELLING, Owed.REFUND).cancel("k"), is(Optional.empty()));
        assertThat("a cancelled order is not cancelled again",
                order(OrderStatus.CANCELLED, null).cancel("k"), is(Optional.empty()));
        assertThrows(OrderNotCancellableException.class, () -> order(OrderStatus.PAYMENT_DECLINED, null).cancel("k"));
    }

    @Test
    void settledOrdersIgnoreLateAnswers() {
        for (OrderStatus status : List.of(OrderStatus.PAID, OrderStatus.PAYMENT_DECLINED, OrderStatus.CANCELLED)) {
            assertThat("a late capture moves a settled " + status + " order",
                    order(status, null).after(new PaymentOutcome.Captured(PAYMENT)), is(Optional.empty()));
        }
    }

    @Test
    void keysAreDerivedFromTheOrderIdAndTotalsFromTheLines() {
        Order order = Order.place(UUID.randomUUID(), List.of(new OrderLine("A", "a", 3, 250), new OrderLine("B", "b", 1, 99)),
                "EUR", NOW, "f", NOW.plusSeconds(30));
        assertThat("the total of the lines", order.totalMinor(), is(849L));
        assertThat("the charge's key", order.chargeKey(), is("order-" + order.id() + "-charge"));
        assertThat("the refund's key", order.refundKey(), is("order-" + order.id() + "-refund"));
        assertThat("in flight while the creating request holds its lease", order.chargeInFlight(NOW), is(true));
        assertThat("no longer in flight once the lease lapsed", order.chargeInFlight(NOW.plusSeconds(31)), is(false));
    }

    @Test
    void aMoveWritesWhatItsKindSaysAndOnlyFromWhereItStarts() {
        Order pending = order(OrderStatus.PENDING, Owed.CHARGE);
        Order paid = pending.moved(pending.after(new PaymentOutcome.Captured(PAYMENT)).orElseThrow(), NOW.plusSeconds(1));
        assertThat("an answer counts an attempt", paid.attempts(), is(pending.attempts() + 1));
        assertThat("the capture's id", paid.paymentId(), is(PAYMENT));
        assertThat("a settling move ends the lease", paid.leaseUntil(), is((Instant) null));
        assertThat("updated now", paid.updatedAt(), is(NOW.plusSeconds(1)));

        Order withLease = new Order(pending.id(), pending.userId(), OrderStatus.PAID, null, pending.lines(),
                pending.totalMinor(), "EUR", PAYMENT, null, 1, NOW, NOW, "f", NOW.plusSeconds(30));
        Order cancelling = withLease.moved(withLease.cancel("k").orElseThrow(), NOW);
        assertThat("a cancel is not an attempt", cancelling.attempts(), is(1));
        assertThat("a move that leaves something owed keeps the lease", cancelling.leaseUntil(), is(NOW.plusSeconds(30)));
        Order refunded = cancelling.moved(cancelling.after(new PaymentOutcome.Refunded(REFUND)).orElseThrow(), NOW);
        assertThat("the refund's id", refunded.refundId(), is(REFUND));
        assertThat("the capture's id is kept", refunded.paymentId(), is(PAYMENT));

        assertThrows(IllegalArgumentException.class, () -> paid.moved(new Order.Move.Refunded(REFUND), NOW),
                "a refund of an order that owes none");
        assertThrows(IllegalArgumentException.class,
                () -> new Order.Move.ChargeSettled(OrderStatus.PENDING, OrderStatus.CANCELLED, PAYMENT),
                "a charge's outcome never cancels a pending order");
        assertThrows(IllegalArgumentException.class, () -> new Order.Move.Cancel(OrderStatus.CANCELLED, "k"),
                "only a pending or paid order is cancelled");
    }

    private static void assertMove(Optional<Order.Move> move, OrderStatus status, Owed owed) {
        assertThat("the move's target status", move.orElseThrow().toStatus(), is(status));
        assertThat("what the order owes after the move", move.orElseThrow().toOwed(), is(owed));
    }

    private static Order order(OrderStatus status, Owed owed) {
        return new Order(UUID.randomUUID(), UUID.randomUUID(), status, owed, List.of(new OrderLine("A", "a", 1, 100)),
                100, "EUR", null, null, 1, NOW, NOW, "f", null);
    }
}
