package io.meshshop.order.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.problem.FieldError;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;
import io.meshshop.order.clients.ForwardedHeaders;
import io.meshshop.order.clients.UserClient;
import io.meshshop.order.store.OrderStore;
import io.meshshop.order.store.ProductStore;

/**
 * Placing an order for the signed-in customer: price it from the catalogue, check the user, store it PENDING
 * under the request's Idempotency-Key, charge it.
 *
 * <p>The order row carries the key (unique per customer, so two customers' keys never meet) and the request's fingerprint instead of a separate key record:
 * the order is the response, so a repeat of the request answers the order as it stands now, and concurrent
 * duplicates on any instance race for one insert that only one wins. Nothing is stored before the user
 * check, so a request refused for the user (422) or for user being down (503) leaves no trace.
 */
public final class Checkout {

    private final ProductStore products;
    private final OrderStore orders;
    private final UserClient users;
    private final Settlement settlement;
    private final Clock clock;
    private final Schedule schedule;

    public Checkout(ProductStore products, OrderStore orders, UserClient users, Settlement settlement, Clock clock,
                    Schedule schedule) {
        this.products = products;
        this.orders = orders;
        this.users = users;
        this.settlement = settlement;
        this.clock = clock;
        this.schedule = schedule;
    }

    /** One requested line: a SKU and how many. */
    public record Item(String sku, int quantity) {
    }

    /** The order this request placed now, or ({@code replayed}) the one an earlier request with its key placed. */
    public record Placed(Order order, boolean replayed) {
    }

    /**
     * The first request under a key takes three statements: the order and its lines in one transaction, then
     * the charge's outcome. A repeat is found by the insert that its key makes fail, or, when it fails before
     * that (for the user, a product), by looking the key up then: either way it gets exactly the answer the
     * key's order gives, as if the key had been looked up first, without a lookup on every checkout.
     */
    public Placed place(UUID userId, List<Item> items, String key, String fingerprint, ForwardedHeaders headers) {
        Map<String, Product> catalogue = products.bySku();
        List<OrderLine> lines;
        try {
            lines = price(items, catalogue);
            users.requireExists(userId, headers);
        } catch (ProblemException e) {
            // Unknown product or user, user unreachable: only a new request gets that answer.
            Optional<Order> existing = orders.findByKey(userId, key);
            if (existing.isPresent()) {
                return replay(existing.get(), fingerprint);
            }
            throw e;
        }
        Instant now = now();
        // The catalogue has one currency (a check constraint says so), hence so does every order.
        String currency = catalogue.get(lines.getFirst().sku()).currency();
        Order order = Order.place(userId, lines, currency, now, fingerprint, now.plus(schedule.lease()));
        String owner = UUID.randomUUID().toString();
        // Recovery leaves the order to this request for `age`, longer than a charge call can take.
        if (!orders.insert(order, key, owner, now.plus(schedule.age()))) {
            return replay(orders.findByKey(userId, key).orElseThrow(), fingerprint);
        }
        return new Placed(settlement.settle(order, headers, owner), false);
    }

    /**
     * The same key again: the same request gets its order back; another request under the key is refused,
     * and so is a repeat that arrives while the first still waits for payment (it has no answer yet to repeat).
     */
    private Placed replay(Order order, String fingerprint) {
        if (!order.fingerprint().equals(fingerprint)) {
            throw ProblemException.of(ProblemType.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key already placed an order with a different request; use a new key");
        }
        if (order.chargeInFlight(now())) {
            throw new ProblemException(Problem.of(ProblemType.IDEMPOTENCY_IN_FLIGHT,
                    "The first request with this Idempotency-Key is still placing order " + order.id()
                    + "; repeat it shortly for its result").with("orderId", order.id().toString()),
                    Problems.RETRY_AFTER_SECONDS);
        }
        return new Placed(order, true);
    }

    /** Lines priced from the catalogue, never from the client; 422 naming every unknown SKU. */
    private static List<OrderLine> price(List<Item> items, Map<String, Product> catalogue) {
        List<OrderLine> lines = new ArrayList<>();
        List<FieldError> unknown = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            Product product = catalogue.get(item.sku());
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

    private Instant now() {
        return Settlement.now(clock);
    }
}
