package io.meshshop.order.domain;

import java.util.List;
import java.util.UUID;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Cancelling, every decision: who may, what a cancel owes, a repeat, a key used twice, an order that changed. */
class CancellationTest {

    private final Saga saga = new Saga();
    private final UUID customer = UUID.randomUUID();

    @Test
    void aPaidOrderIsRefundedInFullAndCancelled() {
        Order paid = saga.store(customer, OrderStatus.PAID, null, 1);
        saga.payments.answer(new PaymentOutcome.Refunded(UUID.randomUUID()));
        Cancellation.Cancelled cancelled = saga.cancellation.cancel(customer, paid.id(), "c1", saga.payments);
        assertThat("CANCELLED", cancelled.order().status(), is(OrderStatus.CANCELLED));
        assertThat("with its refund", cancelled.order().refundId(), notNullValue());
        assertThat("not a replay", cancelled.replayed(), is(false));
        assertThat("the refund was sent", saga.payments.sent(), is(List.of("refund")));
        assertThat("counted", saga.metrics.settled, is(List.of(OrderStatus.CANCELLED)));
    }

    @Test
    void aRefundWithoutAnAnswerLeavesTheOrderCancellingForRecovery() {
        Order paid = saga.store(customer, OrderStatus.PAID, null, 1);
        saga.payments.answer(new PaymentOutcome.Unknown("timeout"));
        Order order = saga.cancellation.cancel(customer, paid.id(), "c1", saga.payments).order();
        assertThat("CANCELLING", order.status(), is(OrderStatus.CANCELLING));
        assertThat("owing the refund", order.owed(), is(Owed.REFUND));
        assertThat("due for recovery", saga.orders.nextAttemptAt(paid.id()), is(Saga.START.plus(Saga.SCHEDULE.age())));
    }

    @Test
    void aPendingOrderWhoseChargeIsInFlightIsLeftToTheRequestThatSendsIt() {
        Order inFlight = saga.placedAndInFlight(customer, "k1");
        Order order = saga.cancellation.cancel(customer, inFlight.id(), "c1", saga.payments).order();
        assertThat("CANCELLING", order.status(), is(OrderStatus.CANCELLING));
        assertThat("still owing the charge's outcome", order.owed(), is(Owed.CHARGE));
        assertThat("the creating request holds the lease: nothing sent from here", saga.payments.sent(), is(empty()));
    }

    @Test
    void aPendingOrderNobodyIsSettlingIsSettledByTheCancelAndALateCaptureRefunded() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 1);
        saga.payments.answer(new PaymentOutcome.Captured(UUID.randomUUID()), new PaymentOutcome.Refunded(UUID.randomUUID()));
        Order order = saga.cancellation.cancel(customer, pending.id(), "c1", saga.payments).order();
        assertThat("CANCELLED", order.status(), is(OrderStatus.CANCELLED));
        assertThat("the charge's outcome, then the refund of its capture", saga.payments.sent(),
                is(List.of("charge", "refund")));
    }

    @Test
    void theSameCancelAgainIsAReplayAndSendsNothing() {
        Order paid = saga.store(customer, OrderStatus.PAID, null, 1);
        saga.payments.answer(new PaymentOutcome.Refunded(UUID.randomUUID()));
        Order first = saga.cancellation.cancel(customer, paid.id(), "c1", saga.payments).order();
        Cancellation.Cancelled again = saga.cancellation.cancel(customer, paid.id(), "c1", saga.payments);
        assertThat("a replay", again.replayed(), is(true));
        assertThat("the order as it stands", again.order(), is(first));
        assertThat("one refund", saga.payments.sent(), is(List.of("refund")));
    }

    @Test
    void aCancelWithAnotherKeyAnswersTheCancelledOrderAsItStands() {
        Order cancelled = saga.store(customer, OrderStatus.CANCELLED, null, 2);
        Cancellation.Cancelled again = saga.cancellation.cancel(customer, cancelled.id(), "c2", saga.payments);
        assertThat("not a replay: another key", again.replayed(), is(false));
        assertThat("as it stands", again.order(), is(cancelled));
        assertThat("nothing sent", saga.payments.sent(), is(empty()));
    }

    @Test
    void aKeyThatCancelledAnotherOrderIs422() {
        Order first = saga.store(customer, OrderStatus.PAID, null, 1);
        Order second = saga.store(customer, OrderStatus.PAID, null, 1);
        saga.payments.answer(new PaymentOutcome.Refunded(UUID.randomUUID()));
        saga.cancellation.cancel(customer, first.id(), "c1", saga.payments);
        ProblemException refused = assertThrows(ProblemException.class,
                () -> saga.cancellation.cancel(customer, second.id(), "c1", saga.payments), "the key cancels a second order");
        assertThat("type", refused.problem().type(), is(ProblemType.IDEMPOTENCY_KEY_REUSED));
        assertThat("the second order is untouched", saga.orders.stored(second.id()).status(), is(OrderStatus.PAID));
    }

    @Test
    void anotherCustomersOrderIsAnsweredAsAnUnknownOne() {
        Order theirs = saga.store(UUID.randomUUID(), OrderStatus.PAID, null, 1);
        ProblemException notTheirs = assertThrows(ProblemException.class,
                () -> saga.cancellation.cancel(customer, theirs.id(), "c1", saga.payments), "another customer's order");
        UUID unknown = UUID.randomUUID();
        ProblemException notThere = assertThrows(ProblemException.class,
                () -> saga.cancellation.cancel(customer, unknown, "c1", saga.payments), "an unknown order");
        assertThat("404", notTheirs.problem().status(), is(404));
        assertThat("the same answer, but for the id", notTheirs.problem().detail().replace(theirs.id().toString(),
                unknown.toString()), is(notThere.problem().detail()));
        assertThat("untouched", saga.orders.stored(theirs.id()).status(), is(OrderStatus.PAID));
    }

    @Test
    void aDeclinedOrderTookNoMoneyAndCannotBeCancelled() {
        Order declined = saga.store(customer, OrderStatus.PAYMENT_DECLINED, null, 1);
        assertThrows(OrderNotCancellableException.class,
                () -> saga.cancellation.cancel(customer, declined.id(), "c1", saga.payments), "a declined order");
    }

    @Test
    void aCancelIsDecidedAgainWhenTheOrderChangedUnderIt() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 1);
        // Recovery gets the capture just before the cancel's compare-and-set: the cancel finds PAID instead.
        saga.orders.beforeNextApply(() -> saga.movedElsewhere(pending.id(),
                new Order.Move.ChargeSettled(OrderStatus.PENDING, OrderStatus.PAID, UUID.randomUUID())));
        saga.payments.answer(new PaymentOutcome.Refunded(UUID.randomUUID()));
        Order order = saga.cancellation.cancel(customer, pending.id(), "c1", saga.payments).order();
        assertThat("CANCELLED", order.status(), is(OrderStatus.CANCELLED));
        assertThat("as a paid order is: by its refund", saga.payments.sent(), is(List.of("refund")));
    }
}
