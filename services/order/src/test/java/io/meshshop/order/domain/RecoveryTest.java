package io.meshshop.order.domain;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/** A recovery pass: which orders it takes, what it sends, how it counts. */
class RecoveryTest {

    private final Saga saga = new Saga();
    private final UUID customer = UUID.randomUUID();

    @Test
    void aPassSettlesTheDueOrdersAsFarAsPaymentAnswersAndCountsEachAttempt() {
        Order paidNow = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 1);
        saga.clock.advance(Duration.ofMillis(1));
        Order stillUnknown = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 1);
        saga.clock.advance(Duration.ofMillis(1));
        saga.payments.answer(new PaymentOutcome.Captured(UUID.randomUUID()), new PaymentOutcome.Unknown("timeout"));

        assertThat("orders settled", saga.recovery.pass(), is(1));
        assertThat("the first due, first", saga.orders.stored(paidNow.id()).status(), is(OrderStatus.PAID));
        assertThat("the second still pending", saga.orders.stored(stillUnknown.id()).status(), is(OrderStatus.PENDING));
        assertThat("attempts by outcome", saga.metrics.recoveryAttempts, is(List.of("paid", "unknown")));
        assertThat("pending orders as the pass began", saga.metrics.pending, is(List.of(2L)));
    }

    @Test
    void anOrderLeasedToSomeoneElseOrNotYetDueIsLeftAlone() {
        saga.placedAndInFlight(customer, "k1");
        assertThat("orders settled", saga.recovery.pass(), is(0));
        assertThat("nothing sent while the creating request holds it", saga.payments.sent(), is(empty()));

        saga.clock.advance(Saga.SCHEDULE.lease().plusSeconds(1));
        saga.payments.answer(new PaymentOutcome.Captured(UUID.randomUUID()));
        assertThat("once its lease lapsed (the request died), recovery settles it", saga.recovery.pass(), is(1));
    }

    @Test
    void aPassTakesAtMostABatch() {
        for (int i = 0; i < Saga.SCHEDULE.batch() + 1; i++) {
            saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 1);
        }
        for (int i = 0; i < Saga.SCHEDULE.batch(); i++) {
            saga.payments.answer(new PaymentOutcome.Unknown("timeout"));
        }
        saga.recovery.pass();
        assertThat("charges sent", saga.payments.sent().size(), is(Saga.SCHEDULE.batch()));
    }

    @Test
    void anAttemptIsPaidDeclinedCancelledUnknownOrProgressed() {
        Order pending = saga.store(customer, OrderStatus.PENDING, Owed.CHARGE, 1);
        Order cancellingCharge = saga.store(customer, OrderStatus.CANCELLING, Owed.CHARGE, 1);
        Order cancellingRefund = pending.moved(new Order.Move.Cancel(OrderStatus.PENDING, "c"), Saga.START)
                .moved(new Order.Move.CaptureToRefund(UUID.randomUUID()), Saga.START);
        assertThat("settled as paid", Recovery.outcome(pending, paid(pending)), is("paid"));
        assertThat("nothing changed", Recovery.outcome(pending, pending), is("unknown"));
        assertThat("a capture found while cancelling", Recovery.outcome(cancellingCharge, cancellingRefund),
                is("progressed"));
    }

    private static Order paid(Order pending) {
        return pending.moved(new Order.Move.ChargeSettled(OrderStatus.PENDING, OrderStatus.PAID, UUID.randomUUID()),
                Saga.START);
    }
}
