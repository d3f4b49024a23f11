package io.meshshop.order.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.db.Databases;
import io.meshshop.common.testing.OwnResources;
import io.meshshop.order.Main;
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

/**
 * The store's statements on each database kind: the multi-row insert of an order's lines, the one-query
 * read of an order with its lines, and the compare-and-set whose answer stands in for reading the order
 * back. Run once on H2 and once on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OrderStoreContract {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

    private final DbClient db;
    private final OrderStore store;
    private final ProductStore products;

    OrderStoreContract(Config config) {
        this.db = OwnResources.of(Main.class, () -> Databases.open(config.get("db")));
        this.store = new OrderStore(db);
        this.products = new ProductStore(db);
    }

    @Test
    void anOrderWithOneLineAndOneWithTheMostLinesReadBackAsStored() {
        for (int count : List.of(1, 2, 50, OrderStore.MAX_LINES)) {
            Order order = newOrder(count);
            String key = UUID.randomUUID().toString();
            assertThat(store.insert(order, key, "owner", NOW.plusSeconds(5)), is(true));
            assertThat(store.find(order.id()), is(Optional.of(order)));
            assertThat(store.findByKey(order.userId(), key), is(Optional.of(order)));
            assertThat("another customer's key space", store.findByKey(UUID.randomUUID(), key), is(Optional.empty()));
        }
        assertThat(store.find(UUID.randomUUID()), is(Optional.empty()));
        assertThat(store.findByKey(UUID.randomUUID(), "no-such-key"), is(Optional.empty()));
    }

    @Test
    void aSecondOrderUnderTheSameKeyIsRefusedAndLeavesNoLines() {
        String key = UUID.randomUUID().toString();
        UUID customer = UUID.randomUUID();
        Order first = newOrder(customer, 2);
        Order second = newOrder(customer, 3);
        assertThat(store.insert(first, key, "a", NOW), is(true));
        assertThat(store.insert(second, key, "b", NOW), is(false));
        assertThat(store.findByKey(customer, key), is(Optional.of(first)));
        long orphans = db.execute().get("SELECT COUNT(*) AS n FROM order_lines WHERE order_id = CAST(? AS UUID)",
                second.id()).map(row -> ((Number) row.column("n").get()).longValue()).orElseThrow();
        assertThat(orphans, is(0L));
    }

    @Test
    void aMoveAnswersTheOrderAsStoredAndMatchesOnlyTheStateItStartsFrom() {
        Order order = newOrder(2);
        store.insert(order, UUID.randomUUID().toString(), "owner", NOW);
        Order.Move pay = order.after(new PaymentOutcome.Captured(UUID.randomUUID())).orElseThrow();
        Instant later = NOW.plusMillis(5);

        Optional<Order> paid = store.apply(order, pay, true, later);
        assertThat(paid.isPresent(), is(true));
        assertThat(paid.get().status(), is(OrderStatus.PAID));
        assertThat(store.find(order.id()), is(paid));
        // The same move again starts from a state the order has left.
        assertThat(store.apply(order, pay, true, later), is(Optional.empty()));
    }

    @Test
    void aMoveDoesNotMatchAnOrderRescheduledMeanwhile() {
        Order order = newOrder(1);
        store.insert(order, UUID.randomUUID().toString(), "owner", NOW);
        // Another attempt came back with no outcome: same state, one more attempt.
        store.reschedule(order, NOW.plusSeconds(5), NOW);
        Order.Move pay = order.after(new PaymentOutcome.Captured(UUID.randomUUID())).orElseThrow();
        assertThat(store.apply(order, pay, true, NOW), is(Optional.empty()));
        Order current = store.find(order.id()).orElseThrow();
        assertThat(current.attempts(), is(1));
        Optional<Order> paid = store.apply(current, pay, true, NOW);
        assertThat(paid.orElseThrow().attempts(), is(2));
        assertThat(store.find(order.id()), is(paid));
    }

    @Test
    void theCatalogueIsReadOnceAndAnsweredFromMemory() {
        assertThat(products.find("MESH-MUG").orElseThrow().priceMinor(), is(1250L));
        assertThat(products.all().stream().map(p -> p.sku()).toList(),
                is(products.all().stream().map(p -> p.sku()).sorted().toList()));
        // Nothing changes the table at run time; if something did, this store would not read it again.
        db.execute().update("UPDATE products SET price_minor = 1 WHERE sku = 'MESH-MUG'");
        try {
            assertThat(products.find("MESH-MUG").orElseThrow().priceMinor(), is(1250L));
            assertThat(products.bySku().get("MESH-MUG").priceMinor(), is(1250L));
            assertThat(new ProductStore(db).find("MESH-MUG").orElseThrow().priceMinor(), is(1L));
        } finally {
            db.execute().update("UPDATE products SET price_minor = 1250 WHERE sku = 'MESH-MUG'");
        }
        assertThat(products.find("NO-SUCH-THING"), is(Optional.empty()));
    }

    @Test
    void theSameKeyFromAnotherCustomerIsAnotherOrder() {
        String key = UUID.randomUUID().toString();
        Order first = newOrder(2);
        Order second = newOrder(2);
        assertThat(store.insert(first, key, "a", NOW), is(true));
        assertThat("keys are unique per customer, not across customers", store.insert(second, key, "b", NOW), is(true));
        assertThat(store.findByKey(second.userId(), key), is(Optional.of(second)));
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
        assertThat(placed.owed(), is(Owed.CHARGE));
        return placed;
    }
}
