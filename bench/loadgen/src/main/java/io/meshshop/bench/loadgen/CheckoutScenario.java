package io.meshshop.bench.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code checkout}: customers are registered and signed in first, then a mix of placing orders (each by a
 * random customer with their bearer token and its own Idempotency-Key), reading orders placed earlier, and
 * cancelling them (again with a fresh key), each read and cancel by the order's own customer. The mix is given
 * in percent: {@code place=80,read=15,cancel=5}. A read or cancel with nothing placed yet places an order
 * instead, so the mix holds from the first second.
 */
final class CheckoutScenario implements Scenario {

    private static final Pattern SKU = Pattern.compile("\"sku\"\\s*:\\s*\"([^\"]+)\"");
    /** Orders remembered for reads; a ring, so memory stays flat however long the run. */
    private static final int RECENT = 8192;
    /** Orders waiting to be cancelled; beyond this many, new orders are not queued for cancelling. */
    private static final int CANCELLABLE = 10_000;

    private final Endpoints users;
    private final Endpoints orders;
    private final int userCount;
    private final String runId;
    private final int placePercent;
    private final int readPercent;
    private final int cancelPercent;
    private final AtomicLong keys = new AtomicLong();
    private final AtomicLong placed = new AtomicLong();
    private final AtomicReferenceArray<Placed> recent = new AtomicReferenceArray<>(RECENT);
    private final ConcurrentLinkedQueue<Placed> cancellable = new ConcurrentLinkedQueue<>();
    private final AtomicInteger cancellableSize = new AtomicInteger();
    private Customers customers;
    private List<String> skus = List.of();

    /** An order placed in this run and the customer it belongs to (only they may read or cancel it). */
    private record Placed(String id, Customers.Customer customer) {
    }

    CheckoutScenario(Endpoints users, Endpoints orders, int userCount, String runId, String mix) {
        this.users = users;
        this.orders = orders;
        this.userCount = userCount;
        this.runId = runId;
        Map<String, Integer> percent = parseMix(mix);
        this.placePercent = percent.getOrDefault("place", 0);
        this.readPercent = percent.getOrDefault("read", 0);
        this.cancelPercent = percent.getOrDefault("cancel", 0);
    }

    static Map<String, Integer> parseMix(String mix) {
        Map<String, Integer> percent = new LinkedHashMap<>();
        for (String part : mix.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length != 2 || !List.of("place", "read", "cancel").contains(kv[0])) {
                throw new IllegalArgumentException("--mix wants place=N,read=N,cancel=N; got " + mix);
            }
            percent.put(kv[0], Integer.parseInt(kv[1]));
        }
        int total = percent.values().stream().mapToInt(Integer::intValue).sum();
        if (total != 100) {
            throw new IllegalArgumentException("--mix must add up to 100, not " + total + ": " + mix);
        }
        return percent;
    }

    @Override
    public String name() {
        return "checkout";
    }

    @Override
    public void prepare() throws Exception {
        if (customers != null) {
            // Prepared again (each training run of the start-up timer): the earlier customers' renewals stop.
            customers.close();
        }
        customers = Customers.create(users, userCount, runId + "-" + System.nanoTime() % 100_000).renewing();
        ConnectionPool pool = orders.pool();
        Response catalogue = pool.send(pool.target().get("/api/products"));
        if (catalogue.status() != 200) {
            throw new IllegalStateException("GET /api/products answered " + catalogue.status());
        }
        List<String> found = new ArrayList<>();
        Matcher m = SKU.matcher(catalogue.bodyText());
        while (m.find()) {
            found.add(m.group(1));
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("GET /api/products lists no product: " + catalogue.bodyText());
        }
        skus = List.copyOf(found);
    }

    @Override
    public Outcome perform() {
        int dice = ThreadLocalRandom.current().nextInt(100);
        if (dice < placePercent) {
            return place();
        }
        if (dice < placePercent + readPercent) {
            Placed order = anyRecent();
            return order == null ? place()
                    : orders.get("read", "/api/orders/" + order.id(), order.customer().authorization());
        }
        Placed order = cancellable.poll();
        if (order == null) {
            return place();
        }
        cancellableSize.decrementAndGet();
        return cancel(order);
    }

    private Outcome place() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Customers.Customer customer = customers.any();
        // One to three distinct products, one to three of each: totals stay far below any decline limit.
        int lines = Math.min(skus.size(), 1 + random.nextInt(3));
        int first = random.nextInt(skus.size());
        StringBuilder body = new StringBuilder("{\"items\":[");
        for (int i = 0; i < lines; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"sku\":\"").append(skus.get((first + i) % skus.size()))
                    .append("\",\"quantity\":").append(1 + random.nextInt(3)).append('}');
        }
        body.append("]}");
        String key = "lg-" + runId + "-order-" + keys.incrementAndGet();
        ConnectionPool pool = orders.pool();
        try {
            Response response = pool.send(pool.target().post("/api/orders", body.toString(), key, customer.authorization()));
            if (response.ok()) {
                String id = response.locationId() != null ? response.locationId() : response.jsonString("id");
                if (id != null) {
                    remember(new Placed(id, customer));
                }
            }
            return Outcome.of("place", response);
        } catch (Exception e) {
            return Outcome.failed("place", e);
        }
    }

    private Outcome cancel(Placed order) {
        String key = "lg-" + runId + "-cancel-" + keys.incrementAndGet();
        ConnectionPool pool = orders.pool();
        try {
            return Outcome.of("cancel", pool.send(pool.target().post("/api/orders/" + order.id() + "/cancel", "", key,
                    order.customer().authorization())));
        } catch (Exception e) {
            return Outcome.failed("cancel", e);
        }
    }

    private void remember(Placed order) {
        long n = placed.getAndIncrement();
        recent.set((int) (n % RECENT), order);
        if (cancelPercent > 0 && cancellableSize.get() < CANCELLABLE) {
            cancellableSize.incrementAndGet();
            cancellable.add(order);
        }
    }

    private Placed anyRecent() {
        long n = placed.get();
        if (n == 0) {
            return null;
        }
        return recent.get(ThreadLocalRandom.current().nextInt((int) Math.min(n, RECENT)));
    }

    @Override
    public JsonObject describe() {
        JsonObjectBuilder mix = Json.createObjectBuilder()
                .add("place", placePercent).add("read", readPercent).add("cancel", cancelPercent);
        return Json.createObjectBuilder()
                .add("userUrls", users.urls())
                .add("orderUrls", orders.urls())
                .add("users", customers == null ? 0 : customers.all().size())
                .add("signIn", customers == null ? JsonObject.EMPTY_JSON_OBJECT : customers.describe())
                .add("products", skus.size())
                .add("mixPercent", mix)
                .build();
    }

    @Override
    public void close() {
        if (customers != null) {
            customers.close();
        }
        users.close();
        orders.close();
    }
}
