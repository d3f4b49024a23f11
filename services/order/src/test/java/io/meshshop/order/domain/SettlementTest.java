package io.meshshop.order.domain;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * Settling what an order owes: sending it, applying the answer, and what happens when the order changed
 * while payment answered (a cancel arrived, another instance whose lease had lapsed got there first).
 */
class SettlementTest {

    private final Saga saga = new Saga();
    private final UUID customer = UUID.randomUUID();

    @Test
    void whatIsSentIsWhatTheOrderOwes() {
        saga.payments.answer(new PaymentOutcome.Unknown("a"), new PaymentOutcome.Unknown("b"));
        saga.settlement.send(saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 0), saga.payments);
        saga.settlement.send(saga.store(customer, OrderStatus.CANCELLING, Owed.REFUND, 1), saga.payments);
        assertThat("a charge for a charge owed, a refund for a refund owed", saga.payments.sent(),
                is(List.of("charge", "refund")));
    }

    @Test
    void aCaptureMovesAPendingOrderToPaidEndsItsLeaseAndIsCountedOnce() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 0);
        UUID paymentId = UUID.randomUUID();
        Settlement.Applied applied = saga.settlement.apply(pending, new PaymentOutcome.Captured(paymentId));
        assertThat("moved", applied, instanceOf(Settlement.Applied.Moved.class));
        assertThat("PAID", applied.order().status(), is(OrderStatus.PAID));
        assertThat("with the capture", applied.order().paymentId(), is(paymentId));
        assertThat("an attempt counted", applied.order().attempts(), is(1));
        assertThat("the move is what is stored", saga.orders.stored(pending.id()), is(applied.order()));
        assertThat("counted", saga.metrics.settled, is(List.of(OrderStatus.PAID)));
    }

    @Test
    void anAnswerThatIsNotDefiniteReschedulesTheOrderAndIsNotCounted() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 0);
        Settlement.Applied applied = saga.settlement.apply(pending, new PaymentOutcome.Unknown("timeout"));
        assertThat("rescheduled", applied, instanceOf(Settlement.Applied.Rescheduled.class));
        assertThat("still PENDING", applied.order().status(), is(OrderStatus.PENDING));
        assertThat("the attempt counted", applied.order().attempts(), is(1));
        assertThat("due after the age", saga.orders.nextAttemptAt(pending.id()), is(Saga.START.plus(Saga.SCHEDULE.age())));
        assertThat("nothing settled, nothing counted", saga.metrics.settled, is(empty()));
    }

    @Test
    void anAnswerThatDoesNotFitWhatWasSentSaysNothingDefinite() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 0);
        Settlement.Applied applied = saga.settlement.apply(pending, new PaymentOutcome.Refunded(UUID.randomUUID()));
        assertThat("a refund is no answer to a charge", applied, instanceOf(Settlement.Applied.Rescheduled.class));
    }

    @Test
    void aCaptureOfAnOrderCancelledMeanwhileIsRefundedNeverKept() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 0);
        saga.orders.claim(pending.id(), "me", saga.clock.instant(), saga.clock.instant().plus(Saga.SCHEDULE.lease()));
        UUID refundId = UUID.randomUUID();
        // The customer cancels while the charge is on its way; the charge is captured.
        saga.payments.answer(new PaymentOutcome.Captured(UUID.randomUUID()),
                        () -> saga.movedElsewhere(pending.id(), new Order.Move.Cancel(OrderStatus.PENDING, "cancel-1")))
                .answer(new PaymentOutcome.Refunded(refundId));
        Order settled = saga.settlement.settle(saga.orders.stored(pending.id()), saga.payments, "me");
        assertThat("CANCELLED", settled.status(), is(OrderStatus.CANCELLED));
        assertThat("refunded", settled.refundId(), is(refundId));
        assertThat("the capture, then its refund", saga.payments.sent(), is(List.of("charge", "refund")));
        assertThat("counted as cancelled, never as paid", saga.metrics.settled, is(List.of(OrderStatus.CANCELLED)));
    }

    @Test
    void anAnswerForAnOrderRescheduledMeanwhileIsAppliedToTheOrderAsItStands() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 0);
        // Another attempt came back with no outcome meanwhile: same state, one more attempt.
        saga.orders.beforeNextApply(() -> saga.orders.reschedule(pending, saga.clock.instant(), saga.clock.instant()));
        Settlement.Applied applied = saga.settlement.apply(pending, new PaymentOutcome.Captured(UUID.randomUUID()));
        assertThat("moved all the same", applied, instanceOf(Settlement.Applied.Moved.class));
        assertThat("PAID", applied.order().status(), is(OrderStatus.PAID));
        assertThat("both attempts counted", applied.order().attempts(), is(2));
    }

    @Test
    void anAnswerAboutWhatSomeoneElseSettledMeanwhileIsOutdated() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 0);
        UUID paymentId = UUID.randomUUID();
        saga.orders.beforeNextApply(() -> saga.movedElsewhere(pending.id(),
                new Order.Move.ChargeSettled(OrderStatus.PENDING, OrderStatus.PAID, paymentId)));
        Settlement.Applied applied = saga.settlement.apply(pending, new PaymentOutcome.Captured(paymentId));
        assertThat("outdated", applied, instanceOf(Settlement.Applied.Outdated.class));
        assertThat("the order as the other party left it", applied.order().status(), is(OrderStatus.PAID));
        assertThat("counted by whoever moved it, not twice", saga.metrics.settled, is(empty()));
    }

    @Test
    void whenTheAnswerIsOutdatedWhatIsOwedNowIsSent() {
        Order cancelling = saga.store(customer, OrderStatus.CANCELLING, Owed.CHARGE, 1);
        saga.orders.claim(cancelling.id(), "me", saga.clock.instant(), saga.clock.instant().plus(Saga.SCHEDULE.lease()));
        UUID paymentId = UUID.randomUUID();
        // Another instance got the capture first and moved the order on to owe the refund.
        saga.payments.answer(new PaymentOutcome.Captured(paymentId),
                        () -> saga.movedElsewhere(cancelling.id(), new Order.Move.CaptureToRefund(paymentId)))
                .answer(new PaymentOutcome.Refunded(UUID.randomUUID()));
        Order settled = saga.settlement.settle(cancelling, saga.payments, "me");
        assertThat("CANCELLED", settled.status(), is(OrderStatus.CANCELLED));
        assertThat("the charge, then the refund now owed", saga.payments.sent(), is(List.of("charge", "refund")));
    }

    @Test
    void aLeaseIsReleasedWhenTheRescheduleFoundTheOrderMoved() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 0);
        saga.orders.claim(pending.id(), "me", saga.clock.instant(), saga.clock.instant().plus(Saga.SCHEDULE.lease()));
        // The customer cancels while the charge is on its way; the charge has no answer.
        saga.payments.answer(new PaymentOutcome.Unknown("timeout"),
                () -> saga.movedElsewhere(pending.id(), new Order.Move.Cancel(OrderStatus.PENDING, "cancel-1")));
        Order after = saga.settlement.settle(saga.orders.stored(pending.id()), saga.payments, "me");
        assertThat("cancelling, still owing the charge's outcome", after.owed(), is(Owed.CHARGE));
        assertThat("our lease ended, so recovery can finish the cancel", saga.orders.leaseOwner(pending.id()), nullValue());
        assertThat("and it is due", saga.orders.nextAttemptAt(pending.id()), is(Saga.START));
    }

    @Test
    void aSettledOrderSendsNothing() {
        Order paid = saga.store(customer, OrderStatus.PAID, null, 1);
        assertThat("as it is", saga.settlement.settle(paid, saga.payments, "me"), is(paid));
        assertThat("nothing sent", saga.payments.sent(), is(empty()));
    }
}
