package io.meshshop.order.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.common.problem.FieldError;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/**
 * Placing an order for the signed-in customer: price it from the catalogue, check the customer, store it
 * PENDING under the request's Idempotency-Key, charge it.
 *
 * <p>The order row carries the key (unique per customer, so two customers' keys never meet) and the
 * request's fingerprint instead of common's key record: the effect calls payment, so it cannot commit in one
 * transaction with a stored reply, and the order is the reply anyway. A repeat of the request answers the
 * order as it stands now, and concurrent duplicates on any instance race for one insert that only one wins.
 * Nothing is stored before the customer check, so a request refused for the customer (422) or for user
 * being down (503) leaves no trace.
 */
public final class Checkout {

    private final Catalogue catalogue;
    private final StoredOrders orders;
    private final Settlement settlement;
    /** A {@code MicrosecondClock}: what is stored is what the order says. */
    private final Clock clock;
    private final Schedule schedule;
    private final OrderMetrics metrics;

    public Checkout(Catalogue catalogue, StoredOrders orders, Settlement settlement, Clock clock, Schedule schedule,
                    OrderMetrics metrics) {
        this.catalogue = catalogue;
        this.orders = orders;
        this.settlement = settlement;
        this.clock = clock;
        this.schedule = schedule;
        this.metrics = metrics;
    }

    /** One requested line: a SKU and how many. */
    public record Item(String sku, int quantity) {
    }

    /**
     * A placement as the customer sent it.
     *
     * @param key         the request's Idempotency-Key
     * @param fingerprint of the request, to tell a repeat from another request under the key
     */
    public record Request(UUID customer, List<Item> items, String key, String fingerprint) {
    }

    /** The order this request placed now, or ({@code replayed}) the one an earlier request with its key placed. */
    public record Placed(Order order, boolean replayed) {
    }

    /**
     * The first request under a key takes three statements: the order and its lines in one transaction, then
     * the charge's outcome. A repeat is found by the insert that its key makes fail, or, when it fails before
     * that (for the customer, a product), by looking the key up then: either way it gets exactly the answer
     * the key's order gives, as if the key had been looked up first, without a lookup on every checkout.
     *
     * @param customers the user service, as this request calls it
     * @param payments  the payment service, as this request calls it
     */
    public Placed place(Request request, Customers customers, PaymentGateway payments) {
        Map<String, Product> products = catalogue.bySku();
        List<OrderLine> lines;
        try {
            lines = price(request.items(), products);
            customers.requireExists(request.customer());
        } catch (ProblemException e) {
            // Unknown product or customer, user unreachable: only a new request gets that answer.
            Optional<Order> existing = orders.findByKey(request.customer(), request.key());
            if (existing.isPresent()) {
                return replay(existing.get(), request.fingerprint());
            }
            throw e;
        }
        Instant now = clock.instant();
        // The catalogue has one currency (a check constraint says so), hence so does every order.
        String currency = products.get(lines.getFirst().sku()).currency();
        Order order = Order.place(request.customer(), lines, currency, now, request.fingerprint(),
                now.plus(schedule.lease()));
        String owner = UUID.randomUUID().toString();
        // Recovery leaves the order to this request for `age`, longer than a charge call can take.
        if (!orders.insert(order, request.key(), owner, now.plus(schedule.age()))) {
            return replay(orders.findByKey(request.customer(), request.key()).orElseThrow(), request.fingerprint());
        }
        Order settled = settlement.settle(order, payments, owner);
        if (settled.status() == OrderStatus.PENDING) {
            metrics.acceptedPending(settled);
        }
        return new Placed(settled, false);
    }

    /**
     * The same key again: the same request gets its order back; another request under the key is refused,
     * and so is a repeat that arrives while the first still waits for payment (it has no answer yet to repeat).
     */
    private Placed replay(Order order, String fingerprint) {
        if (!order.fingerprint().equals(fingerprint)) {
            throw Idempotency.keyReused(
                    "This Idempotency-Key already placed an order with a different request; use a new key");
        }
        if (order.chargeInFlight(clock.instant())) {
            throw Idempotency.inFlight(Problem.of(ProblemType.IDEMPOTENCY_IN_FLIGHT,
                    "The first request with this Idempotency-Key is still placing order " + order.id()
                    + "; repeat it shortly for its result").with("orderId", order.id().toString()));
        }
        return new Placed(order, true);
    }

    /** Lines priced from the catalogue, never from the client; 422 naming every unknown SKU. */
    private static List<OrderLine> price(List<Item> items, Map<String, Product> products) {
        List<OrderLine> lines = new ArrayList<>();
        List<FieldError> unknown = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            Product product = products.get(item.sku());
            if (product == null) {
                unknown.add(new FieldError("items[" + i + "].sku", "is not in the catalogue"));
            } else {
                lines.add(new OrderLine(product.sku(), product.name(), item.quantity(), product.priceMinor()));
            }
        }
        if (!unknown.isEmpty()) {
            throw new UnknownProductException(unknown);
        }
        return lines;
    }
}
