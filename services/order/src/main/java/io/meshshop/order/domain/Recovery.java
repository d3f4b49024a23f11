package io.meshshop.order.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.meshshop.common.observe.Meters;
import io.meshshop.order.clients.ForwardedHeaders;
import io.meshshop.order.store.OrderStore;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Metrics;

/**
 * Settles orders whose charge or refund has no known outcome: payment was down, too slow, or its answer
 * was lost on the way back. This is not a retry policy (the mesh has that, per call, within a request's
 * time budget); it is the business process finishing what a request could not, after the request ended.
 *
 * <p>Every pass sends the same charge or refund again, under the same key derived from the order id, for
 * orders that are due, until payment gives a definite answer. Safe with any number of instances on one
 * database: an order is settled only by whoever claims it (a conditional UPDATE that exactly one claimant
 * wins), and even two senders would send one and the same charge.
 */
public final class Recovery {

    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

    private final OrderStore orders;
    private final Settlement settlement;
    private final Clock clock;
    private final Schedule schedule;
    /** The last count of PENDING orders, read by the gauge: a scrape never waits for the database. */
    private final AtomicLong pending = new AtomicLong();
    private ScheduledExecutorService timer;

    public Recovery(OrderStore orders, Settlement settlement, Clock clock, Schedule schedule) {
        this.orders = orders;
        this.settlement = settlement;
        this.clock = clock;
        this.schedule = schedule;
    }

    public synchronized void start() {
        if (!schedule.enabled() || timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("order-recovery").daemon().factory());
        long every = schedule.interval().toMillis();
        timer.scheduleWithFixedDelay(this::passQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /** One pass: claims due orders one by one and settles each as far as payment answers. */
    public int pass() {
        countPending();
        int settled = 0;
        for (UUID id : orders.due(clock.instant(), schedule.batch())) {
            String owner = UUID.randomUUID().toString();
            Instant now = clock.instant();
            if (!orders.claim(id, owner, now, now.plus(schedule.lease()))) {
                continue;
            }
            Order before = orders.find(id).orElseThrow();
            Order after = settlement.settle(before, ForwardedHeaders.none(), owner);
            Meters.count("meshshop.order.recovery.attempts", "Recovery attempts to settle an order, by outcome",
                    "outcome", outcome(before, after));
            if (after.owed() == null) {
                settled++;
            }
        }
        return settled;
    }

    private void passQuietly() {
        try {
            pass();
        } catch (RuntimeException e) {
            // The database or payment is in trouble; the next pass tries again, nothing is lost meanwhile.
            LOG.log(System.Logger.Level.WARNING, "Recovery pass failed: " + e.getMessage());
        }
    }

    private void countPending() {
        pending.set(orders.countPending());
        // Looked up every pass: the metrics registry is installed when the server starts (see Meters).
        Metrics.globalRegistry().getOrCreate(Gauge.builder("meshshop.orders.pending", pending::get)
                .description("Orders waiting for the outcome of their charge, as of the last recovery pass"));
    }

    /** paid | payment_declined | cancelled when settled; unknown when nothing changed; progressed otherwise. */
    private static String outcome(Order before, Order after) {
        if (after.owed() == null) {
            return after.status().name().toLowerCase(Locale.ROOT);
        }
        return after.status() == before.status() && after.owed() == before.owed() ? "unknown" : "progressed";
    }
}
