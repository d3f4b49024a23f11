package io.meshshop.order.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.meshshop.common.testing.TestClock;

/**
 * The saga wired as Main wires it, on {@link InMemoryOrders}, {@link ScriptedPayments} and a clock the test
 * moves: every decision can be driven and read back without a server or a database.
 */
final class Saga {

    static final Instant START = Instant.parse("2026-01-01T10:00:00Z");
    /** Recovery every 5 s, orders left alone 5 s, leases of 30 s, 20 orders a pass: the shipped values. */
    static final Schedule SCHEDULE = new Schedule(true, Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(30), 20);
    static final Product MUG = new Product("MESH-MUG", "Service mesh mug", 1250, "EUR");
    static final Product CAP = new Product("PILOT-CAP", "Pilot cap", 1800, "EUR");
    static final Catalogue CATALOGUE = () -> Map.of(MUG.sku(), MUG, CAP.sku(), CAP);
    static final String FINGERPRINT = "f".repeat(64);

    final TestClock clock = new TestClock(START);
    final InMemoryOrders orders = new InMemoryOrders();
    final RecordingMetrics metrics = new RecordingMetrics();
    final ScriptedPayments payments = new ScriptedPayments();
    final Settlement settlement = new Settlement(orders, clock, SCHEDULE, metrics);
    final Checkout checkout = new Checkout(CATALOGUE, orders, settlement, clock, SCHEDULE, metrics);
    final Cancellation cancellation = new Cancellation(orders, settlement, clock, SCHEDULE);
    final Recovery recovery = new Recovery(orders, settlement, payments, clock, SCHEDULE, metrics);

    /**
     * Stores an order of {@code customer} in the given state, as it stands after {@code attempts} answers,
     * due for recovery now and leased to nobody.
     */
    Order store(UUID customer, OrderStatus status, Owed owed, int attempts) {
        UUID paymentId = status == OrderStatus.PENDING || owed == Owed.CHARGE ? null : UUID.randomUUID();
        Order order = new Order(UUID.randomUUID(), customer, status, owed, List.of(new OrderLine(MUG.sku(), MUG.name(),
                2, MUG.priceMinor())), 2 * MUG.priceMinor(), "EUR", paymentId, null, attempts, clock.instant(),
                clock.instant(), FINGERPRINT, null);
        orders.insert(order, UUID.randomUUID().toString(), "nobody", owed == null ? null : clock.instant());
        orders.release(order.id(), "nobody");
        return orders.stored(order.id());
    }

    /** A PENDING order as the creating request leaves it after its insert: leased, its charge in flight. */
    Order placedAndInFlight(UUID customer, String key) {
        Order order = Order.place(customer, List.of(new OrderLine(MUG.sku(), MUG.name(), 1, MUG.priceMinor())), "EUR",
                clock.instant(), FINGERPRINT, clock.instant().plus(SCHEDULE.lease()));
        orders.insert(order, key, "creating-request", clock.instant().plus(SCHEDULE.age()));
        return order;
    }

    /** What someone else does meanwhile: applies {@code move} to the order as stored. */
    void movedElsewhere(UUID id, Order.Move move) {
        Order stored = orders.stored(id);
        if (orders.apply(stored, move, clock.instant()).isEmpty()) {
            throw new AssertionError("the other party's move " + move + " did not apply to " + stored);
        }
    }
}
