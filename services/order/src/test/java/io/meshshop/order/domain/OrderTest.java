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
        assertThat(pending.after(new PaymentOutcome.Unknown("timeout")), is(Optional.empty()));
        assertThat(pending.after(new PaymentOutcome.Refunded(REFUND)), is(Optional.empty()));
        assertThat(pending.after(new PaymentOutcome.Captured(PAYMENT)).orElseThrow().paymentId(), is(PAYMENT));
    }

    @Test
    void aCaptureOfACancelledOrderBecomesARefundNeverAPaidOrder() {
        Order cancelling = order(OrderStatus.CANCELLING, Owed.CHARGE);
        assertMove(cancelling.after(new PaymentOutcome.Captured(PAYMENT)), OrderStatus.CANCELLING, Owed.REFUND);
        assertMove(cancelling.after(new PaymentOutcome.Declined(PAYMENT)), OrderStatus.CANCELLED, null);
        Order refunding = order(OrderStatus.CANCELLING, Owed.REFUND);
        assertMove(refunding.after(new PaymentOutcome.Refunded(REFUND)), OrderStatus.CANCELLED, null);
        assertThat(refunding.after(new PaymentOutcome.Captured(PAYMENT)), is(Optional.empty()));
    }

    @Test
    void cancelMovesPendingAndPaidOrdersRepeatsNothingAndRefusesDeclinedOnes() {
        assertMove(order(OrderStatus.PENDING, Owed.CHARGE).cancel("k"), OrderStatus.CANCELLING, Owed.CHARGE);
        assertMove(order(OrderStatus.PAID, null).cancel("k"), OrderStatus.CANCELLING, Owed.REFUND);
        assertThat(order(OrderStatus.CANCELLING, Owed.REFUND).cancel("k"), is(Optional.empty()));
        assertThat(order(OrderStatus.CANCELLED, null).cancel("k"), is(Optional.empty()));
        assertThrows(OrderNotCancellableException.class, () -> order(OrderStatus.PAYMENT_DECLINED, null).cancel("k"));
    }

    @Test
    void settledOrdersIgnoreLateAnswers() {
        for (OrderStatus status : List.of(OrderStatus.PAID, OrderStatus.PAYMENT_DECLINED, OrderStatus.CANCELLED)) {
            assertThat(order(status, null).after(new PaymentOutcome.Captured(PAYMENT)), is(Optional.empty()));
        }
    }

    @Test
    void keysAreDerivedFromTheOrderIdAndTotalsFromTheLines() {
        Order order = Order.place(UUID.randomUUID(), List.of(new OrderLine("A", "a", 3, 250), new OrderLine("B", "b", 1, 99)),
                "EUR", NOW, "f", NOW.plusSeconds(30));
        assertThat(order.totalMinor(), is(849L));
        assertThat(order.chargeKey(), is("order-" + order.id() + "-charge"));
        assertThat(order.refundKey(), is("order-" + order.id() + "-refund"));
        assertThat(order.chargeInFlight(NOW), is(true));
        assertThat(order.chargeInFlight(NOW.plusSeconds(31)), is(false));
    }

    private static void assertMove(Optional<Order.Move> move, OrderStatus status, Owed owed) {
        assertThat(move.orElseThrow().toStatus(), is(status));
        assertThat(move.orElseThrow().toOwed(), is(owed));
    }

    private static Order order(OrderStatus status, Owed owed) {
        return new Order(UUID.randomUUID(), UUID.randomUUID(), status, owed, List.of(new OrderLine("A", "a", 1, 100)),
                100, "EUR", null, null, 1, NOW, NOW, "f", null);
    }
}
