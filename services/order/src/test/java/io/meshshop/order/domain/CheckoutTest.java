package io.meshshop.order.domain;

import java.util.List;
import java.util.UUID;

import io.meshshop.common.problem.FieldError;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Placing an order, every decision: pricing, the customer check, the key, and what the charge's answer makes of it. */
class CheckoutTest {

    private final Saga saga = new Saga();
    private final UUID customer = UUID.randomUUID();
    private final Customers exists = id -> { };

    @Test
    void anOrderIsPricedFromTheCatalogueStoredAndPaidByItsCapture() {
        UUID paymentId = UUID.randomUUID();
        saga.payments.answer(new PaymentOutcome.Captured(paymentId));
        Checkout.Placed placed = place("k1", List.of(new Checkout.Item("MESH-MUG", 2), new Checkout.Item("PILOT-CAP", 1)));

        Order order = placed.order();
        assertThat("a new order, not a replay", placed.replayed(), is(false));
        assertThat("status", order.status(), is(OrderStatus.PAID));
        assertThat("total from the catalogue's prices", order.totalMinor(), is(2 * 1250L + 1800L));
        assertThat("a line carries the catalogue's name", order.lines().getFirst().name(), is("Service mesh mug"));
        assertThat("the capture's id", order.paymentId(), is(paymentId));
        assertThat("what was sent", saga.payments.sent(), is(List.of("charge")));
        assertThat("as stored", saga.orders.stored(order.id()), is(order));
        assertThat("a settled order has no lease", order.leaseUntil(), nullValue());
        assertThat("nor a next attempt", saga.orders.nextAttemptAt(order.id()), nullValue());
        assertThat("counted as settled once", saga.metrics.settled, is(List.of(OrderStatus.PAID)));
        assertThat("not counted as pending", saga.metrics.acceptedPending, is(empty()));
    }

    @Test
    void aDeclinedChargeMakesAnOrderInPaymentDeclined() {
        saga.payments.answer(new PaymentOutcome.Declined(UUID.randomUUID()));
        Order order = place("k1", List.of(new Checkout.Item("MESH-MUG", 1))).order();
        assertThat("status", order.status(), is(OrderStatus.PAYMENT_DECLINED));
        assertThat("counted as settled", saga.metrics.settled, is(List.of(OrderStatus.PAYMENT_DECLINED)));
    }

    @Test
    void noAnswerFromPaymentLeavesThePendingOrderToRecovery() {
        saga.payments.answer(new PaymentOutcome.Unknown("timeout"));
        Order order = place("k1", List.of(new Checkout.Item("MESH-MUG", 1))).order();
        assertThat("status", order.status(), is(OrderStatus.PENDING));
        assertThat("one attempt counted", order.attempts(), is(1));
        assertThat("due after the age", saga.orders.nextAttemptAt(order.id()),
                is(Saga.START.plus(Saga.SCHEDULE.age())));
        assertThat("the lease ended, so recovery may claim it", saga.orders.leaseOwner(order.id()), nullValue());
        assertThat("counted as accepted pending", saga.metrics.acceptedPending, is(List.of(OrderStatus.PENDING)));
        assertThat("not counted as settled", saga.metrics.settled, is(empty()));
    }

    @Test
    void unknownSkusAre422NamingEveryLineAndNothingIsStoredOrCharged() {
        ProblemException refused = assertThrows(UnknownProductException.class, () -> place("k1",
                List.of(new Checkout.Item("MESH-MUG", 1), new Checkout.Item("NOPE", 1), new Checkout.Item("NADA", 2))));
        assertThat("422", refused.problem().status(), is(422));
        assertThat("every unknown line", refused.problem().errors().stream().map(FieldError::field).toList(),
                is(List.of("items[1].sku", "items[2].sku")));
        assertNothingStoredOrSent();
    }

    @Test
    void aCustomerWhoNoLongerExistsIs422AndNothingIsStored() {
        Customers gone = id -> {
            throw new UnknownUserException(id);
        };
        assertThrows(UnknownUserException.class, () -> saga.checkout.place(request("k1"), gone, saga.payments),
                "the user service says there is no such customer");
        assertNothingStoredOrSent();
    }

    @Test
    void aUserServiceThatCannotAnswerIs503AndNothingIsStored() {
        ProblemException down = new ProblemException(Problem.of(ProblemType.DEPENDENCY_UNAVAILABLE, "user is down"), 2);
        Customers unreachable = id -> {
            throw down;
        };
        ProblemException refused = assertThrows(ProblemException.class,
                () -> saga.checkout.place(request("k1"), unreachable, saga.payments), "user is down");
        assertThat("the 503 passes through", refused, is(down));
        assertNothingStoredOrSent();
    }

    @Test
    void theSameRequestAgainAnswersItsOrderAsItStandsWithoutChargingAgain() {
        saga.payments.answer(new PaymentOutcome.Captured(UUID.randomUUID()));
        Order first = place("k1", List.of(new Checkout.Item("MESH-MUG", 1))).order();
        Checkout.Placed again = place("k1", List.of(new Checkout.Item("MESH-MUG", 1)));
        assertThat("a replay", again.replayed(), is(true));
        assertThat("the same order", again.order(), is(first));
        assertThat("charged once", saga.payments.sent(), is(List.of("charge")));
    }

    @Test
    void aRepeatThatFailsBeforeItsInsertStillGetsItsKeysOrder() {
        saga.payments.answer(new PaymentOutcome.Captured(UUID.randomUUID()));
        Order first = place("k1", List.of(new Checkout.Item("MESH-MUG", 1))).order();
        Customers unreachable = id -> {
            throw new ProblemException(Problem.of(ProblemType.DEPENDENCY_UNAVAILABLE, "user is down"), 2);
        };
        Checkout.Placed again = saga.checkout.place(request("k1"), unreachable, saga.payments);
        assertThat("the key's order, though user is down now", again.order(), is(first));
        assertThat("a replay", again.replayed(), is(true));
    }

    @Test
    void anotherRequestUnderTheKeyIs422() {
        saga.payments.answer(new PaymentOutcome.Captured(UUID.randomUUID()));
        place("k1", List.of(new Checkout.Item("MESH-MUG", 1)));
        ProblemException refused = assertThrows(ProblemException.class, () -> saga.checkout.place(
                new Checkout.Request(customer, List.of(new Checkout.Item("MESH-MUG", 2)), "k1", "e".repeat(64)), exists,
                saga.payments), "the key with another body");
        assertThat("type", refused.problem().type(), is(ProblemType.IDEMPOTENCY_KEY_REUSED));
        assertThat("charged once", saga.payments.sent(), is(List.of("charge")));
    }

    @Test
    void aRepeatWhileTheFirstStillWaitsForPaymentIs409WithRetryAfter() {
        Order inFlight = saga.placedAndInFlight(customer, "k1");
        ProblemException refused = assertThrows(ProblemException.class, () -> saga.checkout.place(request("k1"), exists,
                saga.payments), "a repeat while the first request waits for payment");
        assertThat("type", refused.problem().type(), is(ProblemType.IDEMPOTENCY_IN_FLIGHT));
        assertThat("Retry-After", refused.retryAfterSeconds().isPresent(), is(true));
        assertThat("names the order", refused.problem().extensions().get("orderId").toString(),
                is("\"" + inFlight.id() + "\""));
        assertThat("nothing sent", saga.payments.sent(), is(empty()));

        saga.clock.advance(Saga.SCHEDULE.lease().plusSeconds(1));
        assertThat("once the first request's lease lapsed, the order as it stands", saga.checkout.place(request("k1"),
                exists, saga.payments).replayed(), is(true));
    }

    @Test
    void theSameKeyFromAnotherCustomerIsAnotherOrder() {
        saga.payments.answer(new PaymentOutcome.Captured(UUID.randomUUID()), new PaymentOutcome.Captured(UUID.randomUUID()));
        Order mine = place("k1", List.of(new Checkout.Item("MESH-MUG", 1))).order();
        Checkout.Placed theirs = saga.checkout.place(new Checkout.Request(UUID.randomUUID(),
                List.of(new Checkout.Item("MESH-MUG", 1)), "k1", Saga.FINGERPRINT), exists, saga.payments);
        assertThat("not a replay of another customer's order", theirs.replayed(), is(false));
        assertThat("another order", theirs.order().id().equals(mine.id()), is(false));
    }

    private Checkout.Placed place(String key, List<Checkout.Item> items) {
        return saga.checkout.place(new Checkout.Request(customer, items, key, Saga.FINGERPRINT), exists, saga.payments);
    }

    private Checkout.Request request(String key) {
        return new Checkout.Request(customer, List.of(new Checkout.Item("MESH-MUG", 1)), key, Saga.FINGERPRINT);
    }

    private void assertNothingStoredOrSent() {
        assertThat("no order under the key", saga.orders.findByKey(customer, "k1").isPresent(), is(false));
        assertThat("nothing sent to payment", saga.payments.sent(), is(empty()));
    }
}
