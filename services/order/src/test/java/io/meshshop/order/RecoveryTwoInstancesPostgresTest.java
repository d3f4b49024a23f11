package io.meshshop.order;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.Await;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.webserver.WebServer;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * Two order instances on one PostgreSQL database, both running recovery at once over the same PENDING
 * orders, each calling payment through its own proxy so that the calls of each instance can be counted.
 */
class RecoveryTwoInstancesPostgresTest {

    private static final int ORDERS = 20;

    private static Services services;
    private static TestProxy paymentA;
    private static TestProxy paymentB;
    private static WebServer orderA;
    private static WebServer orderB;

    @BeforeAll
    static void start() {
        services = Services.start(true);
        Map<String, String> database = TestDatabases.newPostgresDatabase("order");
        paymentA = new TestProxy(services.paymentUrl());
        paymentB = new TestProxy(services.paymentUrl());
        // Small batches, so the two instances' passes interleave over the same due orders.
        Map<String, String> db = new HashMap<>(database);
        db.put("recovery.batch", "3");
        orderA = services.startOrder(services.orderConfig(db, services.userProxy.url(), paymentA.url()));
        orderB = services.startOrder(services.orderConfig(db, services.userProxy.url(), paymentB.url()));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : List.<AutoCloseable>of(orderA::stop, orderB::stop, paymentA, paymentB, services)) {
            try {
                closeable.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }

    /** Who placed the orders: the only one who may read them. */
    private Services.Customer customer;

    @Test
    void bothInstancesSettleEveryPendingOrderWithOneCaptureEach() {
        paymentA.mode(TestProxy.Mode.RESET);
        paymentB.mode(TestProxy.Mode.RESET);
        customer = services.signUp("Two instances");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            WebServer instance = i % 2 == 0 ? orderA : orderB;
            var placed = Answer.of(HttpCalls.send("POST", "http://localhost:" + instance.port() + "/api/orders",
                    OrderApiContract.body("MESH-MUG", 1 + i % 3), "Idempotency-Key", UUID.randomUUID().toString(),
                    "Authorization", "Bearer " + customer.token()));
            assertThat(placed.raw().body(), placed.status(), is(202));
            ids.add(placed.json().getString("id"));
        }

        paymentA.mode(TestProxy.Mode.FORWARD);
        paymentB.mode(TestProxy.Mode.FORWARD);
        Await.until("every order to be PAID", OrderApiContract.WAIT,
                () -> ids.stream().allMatch(id -> "PAID".equals(order(id).getString("status"))));

        int captures = 0;
        List<Integer> forwardedPerOrder = new ArrayList<>();
        for (String id : ids) {
            List<JsonObject> payments = Answer.of(HttpCalls.send("GET", services.paymentUrl() + "/api/payments?orderId=" + id,
                    null)).json().getJsonArray("items").getValuesAs(JsonObject.class);
            assertThat("payments", payments, hasSize(1));
            assertThat("the payment's status", payments.getFirst().getString("status"), is("CAPTURED"));
            assertThat("the order's payment is the capture", order(id).getString("paymentId"),
                    is(payments.getFirst().getString("id")));
            captures += payments.size();
            forwardedPerOrder.add(forwarded(paymentA, id) + forwarded(paymentB, id));
        }
        long byA = ids.stream().mapToLong(id -> forwarded(paymentA, id)).sum();
        long byB = ids.stream().mapToLong(id -> forwarded(paymentB, id)).sum();
        long refused = paymentA.seen().size() + paymentB.seen().size() - byA - byB;
        System.out.printf("[PostgreSQL] two instances, %d pending orders: charges refused while payment was down %d;"
                          + " after it came back instance A sent %d, instance B sent %d; captures %d; orders PAID %d%n",
                ORDERS, refused, byA, byB, captures, ids.size());
        assertThat("captures", captures, is(ORDERS));
        // Each order was claimed by one instance at a time: payment got its charge once after it came back.
        assertThat("forwarded per order", forwardedPerOrder, everyItem(is(1)));
        assertThat("refused", refused, greaterThanOrEqualTo((long) ORDERS));
    }

    private static int forwarded(TestProxy proxy, String orderId) {
        return (int) proxy.seenWith("idempotency-key", "order-" + orderId + "-charge").stream()
                .filter(seen -> seen.mode() == TestProxy.Mode.FORWARD)
                .count();
    }

    private JsonObject order(String id) {
        Answer answer = Answer.of(HttpCalls.send("GET", "http://localhost:" + orderA.port() + "/api/orders/" + id, null,
                customer.bearer()));
        assertThat("status of " + answer, answer.status(), is(200));
        return answer.json();
    }
}
