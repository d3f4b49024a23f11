package io.meshshop.order.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.db.Databases;
import io.meshshop.common.db.Rows;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.order.domain.Order;
import io.meshshop.order.domain.OrderLine;
import io.meshshop.order.domain.OrderStatus;
import io.meshshop.order.domain.Owed;
import io.meshshop.order.domain.PaymentOutcome;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The store's statements on each database kind: the multi-row insert of an order's lines, the one-query
 * read of an order with its lines, each kind of move's compare-and-set (whose answer stands in for reading
 * the order back), and the lease. Run once on H2 and once on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OrderStoreContract {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

    private final DbClient db;
    private final OrderStore store;
    private final ProductStore products;

    OrderStoreContract(Config config) {
        this.db = Databases.open(config.get("db"));
        this.store = new OrderStore(db);
        this.products = new ProductStore(db);
    }

    @Test
    void anOrderWithOneLineAndOneWithTheMostLinesReadBackAsStored() {
        for (int count : List.of(1, 2, 50, OrderStore.MAX_LINES)) {
            Order order = newOrder(count);
            String key = UUID.randomUUID().toString();
            assertThat("an order of " + count + " lines is stored",
                    store.insert(order, key, "owner", NOW.plusSeconds(5)), is(true));
            assertThat("read by id", store.find(order.id()), is(Optional.of(order)));
            assertThat("read by its customer's key", store.findByKey(order.userId(), key), is(Optional.of(order)));
            assertThat("another customer's key space", store.findByKey(UUID.randomUUID(), key), is(Optional.empty()));
        }
        assertThat("an unknown id", store.find(UUID.randomUUID()), is(Optional.empty()));
        assertThat("an unknown key", store.findByKey(UUID.randomUUID(), "no-such-key"), is(Optional.empty()));
    }

    @Test
    void aSecondOrderUnderTheSameKeyIsRefusedAndLeavesNoLines() {
        String key = UUID.randomUUID().toString();
        UUID customer = UUID.randomUUID();
        Order first = newOrder(customer, 2);
        Order second = newOrder(customer, 3);
        assertThat("the first order under the key", store.insert(first, key, "a", NOW), is(true));
        assertThat("a second order under the key", store.insert(second, key, "b", NOW), is(false));
        assertThat("the key's order is the first", store.findByKey(customer, key), is(Optional.of(first)));
        long orphans = db.execute().get("SELECT COUNT(*) AS n FROM order_lines WHERE order_id = CAST(? AS UUID)",
                second.id()).map(row -> Rows.longValue(row, "n")).orElseThrow();
        assertThat("lines of the refused order", orphans, is(0L));
    }

    @Test
    void aMoveAnswersTheOrderAsStoredAndMatchesOnlyTheStateItStartsFrom() {
        Order order = newOrder(2);
        store.insert(order, UUID.randomUUID().toString(), "owner", NOW);
        Order.Move pay = order.after(new PaymentOutcome.Captured(UUID.randomUUID())).orElseThrow();
        Instant later = NOW.plusMillis(5);

        Optional<Order> paid = store.apply(order, pay, later);
        assertThat("the move matched", paid.isPresent(), is(true));
        assertThat("PAID", paid.get().status(), is(OrderStatus.PAID));
        assertThat("the answer is what is stored", store.find(order.id()), is(paid));
        // The same move again starts from a state the order has left.
        assertThat("the same move again", store.apply(order, pay, later), is(Optional.empty()));
    }

    @Test
    void aMoveDoesNotMatchAnOrderRescheduledMeanwhile() {
        Order order = newOrder(1);
        store.insert(order, UUID.randomUUID().toString(), "owner", NOW);
        // Another attempt came back with no outcome: same state, one more attempt.
        store.reschedule(order, NOW.plusSeconds(5), NOW);
        Order.Move pay = order.after(new PaymentOutcome.Captured(UUID.randomUUID())).orElseThrow();
        assertThat("a move from the order as it was", store.apply(order, pay, NOW), is(Optional.empty()));
        Order current = store.find(order.id()).orElseThrow();
        assertThat("the reschedule's attempt", current.attempts(), is(1));
        Optional<Order> paid = store.apply(current, pay, NOW);
        assertThat("both attempts", paid.orElseThrow().attempts(), is(2));
        assertThat("the answer is what is stored", store.find(order.id()), is(paid));
    }

    @Test
    void aCancelledOrdersCaptureBecomesARefundOwedAndItsRefundCancelsIt() {
        Order order = newOrder(2);
        store.insert(order, UUID.randomUUID().toString(), "owner", NOW);
        Instant later = NOW.plusMillis(5);
        Order cancelling = store.apply(order, order.cancel("cancel-1").orElseThrow(), later).orElseThrow();
        assertThat("CANCELLING, owing the charge's outcome", cancelling.owed(), is(Owed.CHARGE));
        assertThat("the cancel is stored as moved", store.find(order.id()), is(Optional.of(cancelling)));
        assertThat("due now, in case the canceller stops here", nextAttemptAt(order.id()), is(later));
        assertThat("the key is recorded", store.cancelledWith(order.userId(), "cancel-1"), is(Optional.of(order.id())));

        Order owesRefund = store.apply(cancelling, cancelling.after(new PaymentOutcome.Captured(UUID.randomUUID()))
                .orElseThrow(), later).orElseThrow();
        assertThat("owing the refund", owesRefund.owed(), is(Owed.REFUND));
        assertThat("stored as moved", store.find(order.id()), is(Optional.of(owesRefund)));

        Order cancelled = store.apply(owesRefund, owesRefund.after(new PaymentOutcome.Refunded(UUID.randomUUID()))
                .orElseThrow(), later).orElseThrow();
        assertThat("CANCELLED", cancelled.status(), is(OrderStatus.CANCELLED));
        assertThat("stored as moved", store.find(order.id()), is(Optional.of(cancelled)));
        assertThat("settled: no next attempt", nextAttemptAt(order.id()), is((Instant) null));
    }

    @Test
    void aPaidOrderIsCancelledOwingItsRefundAndACancelKeyCancelsOneOrder() {
        UUID customer = UUID.randomUUID();
        Order first = paid(newOrder(customer, 1));
        Order second = paid(newOrder(customer, 1));
        Order cancelling = store.apply(first, first.cancel("cancel-1").orElseThrow(), NOW).orElseThrow();
        assertThat("owing the refund of its capture", cancelling.owed(), is(Owed.REFUND));
        ProblemException reused = assertThrows(ProblemException.class,
                () -> store.apply(second, second.cancel("cancel-1").orElseThrow(), NOW), "the key for a second order");
        assertThat("422", reused.problem().type(), is(ProblemType.IDEMPOTENCY_KEY_REUSED));
        assertThat("the second order is untouched", store.find(second.id()).orElseThrow().status(), is(OrderStatus.PAID));
    }

    @Test
    void aDueOrderIsClaimedByOneOwnerReleasedAndClaimedAgain() {
        Order order = newOrder(1);
        store.insert(order, UUID.randomUUID().toString(), "creator", NOW);
        Instant now = NOW.plusSeconds(1);
        assertThat("leased to its creator until its lease ends", store.claim(order.id(), "a", now, now.plusSeconds(30)),
                is(false));
        store.release(order.id(), "creator");
        assertThat("due and free", store.due(now, 100).contains(order.id()), is(true));
        assertThat("the first claim", store.claim(order.id(), "a", now, now.plusSeconds(30)), is(true));
        assertThat("a second claim meanwhile", store.claim(order.id(), "b", now, now.plusSeconds(30)), is(false));
        assertThat("no longer due for anyone else", store.due(now, 100).contains(order.id()), is(false));
        store.release(order.id(), "b");
        assertThat("only the owner releases", store.claim(order.id(), "b", now, now.plusSeconds(30)), is(false));
        store.release(order.id(), "a");
        assertThat("claimed again once released", store.claim(order.id(), "b", now, now.plusSeconds(30)), is(true));
        assertThat("a lapsed lease is claimed again", store.claim(order.id(), "c", now.plusSeconds(31),
                now.plusSeconds(60)), is(true));
    }

    private Order paid(Order order) {
        store.insert(order, UUID.randomUUID().toString(), "owner", NOW);
        return store.apply(order, order.after(new PaymentOutcome.Captured(UUID.randomUUID())).orElseThrow(), NOW)
                .orElseThrow();
    }

    private Instant nextAttemptAt(UUID id) {
        return Rows.instant(db.execute().get("SELECT next_attempt_at FROM orders WHERE id = CAST(? AS UUID)", id)
                .orElseThrow(), "next_attempt_at");
    }

    @Test
    void theCatalogueIsReadOnceAndAnsweredFromMemory() {
        assertThat("the mug's price", products.find("MESH-MUG").orElseThrow().priceMinor(), is(1250L));
        assertThat("the catalogue in SKU order", products.all().stream().map(p -> p.sku()).toList(),
                is(products.all().stream().map(p -> p.sku()).sorted().toList()));
        // Nothing changes the table at run time; if something did, this store would not read it again.
        db.execute().update("UPDATE products SET price_minor = 1 WHERE sku = 'MESH-MUG'");
        try {
            assertThat("the mug's price", products.find("MESH-MUG").orElseThrow().priceMinor(), is(1250L));
            assertThat("the mug's price by SKU, from memory", products.bySku().get("MESH-MUG").priceMinor(), is(1250L));
            assertThat("a new store reads the table",
                    new ProductStore(db).find("MESH-MUG").orElseThrow().priceMinor(), is(1L));
        } finally {
            db.execute().update("UPDATE products SET price_minor = 1250 WHERE sku = 'MESH-MUG'");
        }
        assertThat("an unknown SKU", products.find("NO-SUCH-THING"), is(Optional.empty()));
    }

    @Test
    void theSameKeyFromAnotherCustomerIsAnotherOrder() {
        String key = UUID.randomUUID().toString();
        Order first = newOrder(2);
        Order second = newOrder(2);
        assertThat("the first order under the key", store.insert(first, key, "a", NOW), is(true));
        assertThat("keys are unique per customer, not across customers", store.insert(second, key, "b", NOW), is(true));
        assertThat("the second customer's key has their order",
                store.findByKey(second.userId(), key), is(Optional.of(second)));
    }

    private static Order newOrder(int lines) {
        return newOrder(UUID.randomUUID(), lines);
    }

    private static Order newOrder(UUID customer, int lines) {
        List<OrderLine> list = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            list.add(new OrderLine(i % 2 == 0 ? "MESH-MUG" : "PILOT-CAP", "Line " + i, 1 + i % 100, 100L + i));
        }
        Order placed = Order.place(customer, list, "EUR", NOW, "f".repeat(64), NOW.plusSeconds(30));
        assertThat("a new order owes its charge", placed.owed(), is(Owed.CHARGE));
        return placed;
    }
}
