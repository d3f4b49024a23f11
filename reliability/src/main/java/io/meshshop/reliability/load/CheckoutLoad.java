package io.meshshop.reliability.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checkouts by a few concurrent clients that behave as the API asks: each order by a signed-in customer (its
 * bearer token on every call) under its own Idempotency-Key, the same key again (same body) after a 503 with Retry-After, an in-flight 409 or no
 * answer at all, a bounded number of times; now and then a cancel of an accepted order. Bounded in
 * orders and in time. Every answer is tallied and every placement kept in the ledger.
 */
public final class CheckoutLoad {

    /**
     * @param workers      concurrent clients
     * @param maxOrders    stop after this many placements in all
     * @param maxDuration  stop after this long
     * @param pause        each client's pause between two placements (bounds the rate)
     * @param cancelEvery  cancel every n-th accepted order (0: never)
     * @param declineEvery every n-th order is above payment's decline limit (0: never)
     * @param retries      how often a client sends the same request again after a retriable answer
     */
    public record Settings(int workers, int maxOrders, Duration maxDuration, Duration pause, int cancelEvery,
                           int declineEvery, int retries) {
    }

    /** The catalogue's SKUs (services/order V1__catalogue.sql) that any order may use. */
    private static final List<String> SKUS = List.of("MESH-MUG", "SIDECAR-TEE", "ENVOY-HOODIE", "MTLS-STICKERS",
            "PILOT-CAP");
    /** 9 x 120000 is above payment's default decline limit of 1000000 minor units: a decline on purpose. */
    private static final Api.Line DECLINED_LINE = new Api.Line("CONSULTING-DAY", 9);

    private final Api api;
    private final List<Customer> customers;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final List<Placement> ledger = new CopyOnWriteArrayList<>();
    private final Tally tally = new Tally();
    private final AtomicInteger placed = new AtomicInteger();
    private final AtomicInteger acceptedCount = new AtomicInteger();

    public CheckoutLoad(Api api, List<Customer> customers) {
        this.api = api;
        this.customers = List.copyOf(customers);
    }

    /** Runs the load to its bounds; returns when every client has stopped. */
    public void run(Settings settings) {
        long deadline = System.nanoTime() + settings.maxDuration().toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int w = 0; w < settings.workers(); w++) {
            Random random = new Random(31L * w + 7);
            clients.add(Thread.ofVirtual().name("client-" + w).start(() -> client(settings, random, deadline)));
        }
        for (Thread client : clients) {
            try {
                client.join(settings.maxDuration().plusSeconds(120).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void client(Settings settings, Random random, long deadline) {
        while (System.nanoTime() < deadline) {
            int n = placed.incrementAndGet();
            if (n > settings.maxOrders()) {
                // Not placed after all: the next phase's bound counts from here.
                placed.decrementAndGet();
                return;
            }
            boolean decline = settings.declineEvery() > 0 && n % settings.declineEvery() == 0;
            List<Api.Line> lines = new ArrayList<>();
            if (decline) {
                lines.add(DECLINED_LINE);
            } else {
                int count = 1 + random.nextInt(3);
                for (int i = 0; i < count; i++) {
                    lines.add(new Api.Line(SKUS.get((i + random.nextInt(SKUS.size())) % SKUS.size()), 1 + random.nextInt(3)));
                }
                // One line per SKU: the catalogue does not mind repeats, but a clean body is easier to read.
                lines = new ArrayList<>(lines.stream().collect(java.util.stream.Collectors.toMap(Api.Line::sku, l -> l,
                        (a, b) -> a, java.util.LinkedHashMap::new)).values());
            }
            Customer customer = customers.get(random.nextInt(customers.size()));
            Placement placement = new Placement("rel-" + runId + "-order-" + n, customer, Api.orderBody(lines), decline);
            ledger.add(placement);
            for (int attempt = 0; attempt <= settings.retries(); attempt++) {
                Answer answer = api.placeOrder(customer, placement.key(), placement.body());
                record(answer);
                placement.answered(answer, false);
                if (placement.accepted() || !retriable(answer) || System.nanoTime() >= deadline) {
                    break;
                }
                pause(answer);
            }
            if (placement.accepted()) {
                int accepted = acceptedCount.incrementAndGet();
                if (settings.cancelEvery() > 0 && accepted % settings.cancelEvery() == 0) {
                    cancel(placement, settings.retries());
                }
            }
            sleep(settings.pause().toMillis());
        }
    }

    private void cancel(Placement placement, int retries) {
        String key = placement.key() + "-cancel";
        for (int attempt = 0; attempt <= retries; attempt++) {
            Answer answer = api.cancelOrder(placement.customer(), placement.orderId(), key);
            record(answer);
            placement.cancelRequested(key, answer);
            if (!retriable(answer)) {
                return;
            }
            pause(answer);
        }
    }

    /**
     * After the faults: every placement that was never accepted is sent once more, same customer, key and
     * body, as a client that kept its key would. An order that exists although the client was told it failed shows up
     * here (accepted only at reconcile) instead of being silently charged.
     */
    public void reconcile() {
        for (Placement placement : ledger) {
            if (!placement.accepted()) {
                Answer answer = api.placeOrder(placement.customer(), placement.key(), placement.body());
                record(answer);
                placement.answered(answer, true);
            }
        }
    }

    /** 503 (with Retry-After), an in-flight 409 and no answer at all are worth the same request again. */
    public static boolean retriable(Answer answer) {
        return !answer.answered() || answer.status() == 503 || answer.status() == 502 || answer.status() == 504
               || (answer.status() == 409 && answer.problemType().equals("idempotency-in-flight"));
    }

    private void pause(Answer answer) {
        long millis = 1000;
        if (answer.retryAfter() != null) {
            try {
                millis = Math.min(5, Long.parseLong(answer.retryAfter().trim())) * 1000L;
            } catch (NumberFormatException e) {
                millis = 1000;
            }
        }
        sleep(millis);
    }

    private void record(Answer answer) {
        tally.record(answer);
    }

    public List<Placement> ledger() {
        return ledger;
    }

    public Tally tally() {
        return tally;
    }

    public long accepted() {
        return ledger.stream().filter(Placement::accepted).count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
