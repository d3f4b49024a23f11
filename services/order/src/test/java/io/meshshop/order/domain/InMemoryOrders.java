package io.meshshop.order.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.idempotency.Idempotency;

/**
 * The orders table in memory, with the store's conditions (see store/OrderStore's statements): keys unique
 * per customer, moves and reschedules that match only the state they expect, claims that match only a due,
 * unleased order. A test can slip a write of "someone else" in just before the next move ({@link #beforeNextApply}).
 */
final class InMemoryOrders implements StoredOrders {

    /** One row: the order as stored (its lease's end included) and the columns Order does not carry. */
    private record Row(Order order, String key, String cancelKey, Instant nextAttemptAt, String leaseOwner) {

        Row with(Order changed, Instant next, String owner) {
            return new Row(changed, key, cancelKey, next, owner);
        }
    }

    private final Map<UUID, Row> rows = new LinkedHashMap<>();
    private Runnable beforeNextApply;

    /** Runs {@code write} once, just before the next {@link #apply}: what another request or instance did meanwhile. */
    synchronized void beforeNextApply(Runnable write) {
        this.beforeNextApply = write;
    }

    /** The order as stored now. */
    synchronized Order stored(UUID id) {
        return rows.get(id).order();
    }

    synchronized Instant nextAttemptAt(UUID id) {
        return rows.get(id).nextAttemptAt();
    }

    synchronized String leaseOwner(UUID id) {
        return rows.get(id).leaseOwner();
    }

    @Override
    public synchronized boolean insert(Order order, String key, String leaseOwner, Instant nextAttemptAt) {
        if (findByKey(order.userId(), key).isPresent()) {
            return false;
        }
        rows.put(order.id(), new Row(order, key, null, nextAttemptAt, leaseOwner));
        return true;
    }

    @Override
    public synchronized Optional<Order> find(UUID id) {
        return Optional.ofNullable(rows.get(id)).map(Row::order);
    }

    @Override
    public synchronized Optional<Order> findByKey(UUID customer, String key) {
        return rows.values().stream()
                .filter(row -> row.order().userId().equals(customer) && row.key().equals(key))
                .map(Row::order)
                .findFirst();
    }

    @Override
    public synchronized Optional<UUID> cancelledWith(UUID customer, String cancelKey) {
        return rows.values().stream()
                .filter(row -> row.order().userId().equals(customer) && cancelKey.equals(row.cancelKey()))
                .map(row -> row.order().id())
                .findFirst();
    }

    @Override
    public Optional<Order> apply(Order current, Order.Move move, Instant now) {
        Runnable meanwhile;
        synchronized (this) {
            meanwhile = beforeNextApply;
            beforeNextApply = null;
        }
        if (meanwhile != null) {
            meanwhile.run();
        }
        synchronized (this) {
            Order after = current.moved(move, now);
            Row row = rows.get(current.id());
            Order stored = row.order();
            if (stored.status() != move.fromStatus() || stored.owed() != move.fromOwed()
                || stored.attempts() != current.attempts()) {
                return Optional.empty();
            }
            String cancelKey = row.cancelKey();
            if (move instanceof Order.Move.Cancel cancel) {
                if (cancelledWith(stored.userId(), cancel.cancelKey()).isPresent()) {
                    throw Idempotency.keyReused("This Idempotency-Key already cancelled another order; use a new key");
                }
                cancelKey = cancel.cancelKey();
            }
            Order changed = withLease(after, move.settles() ? null : stored.leaseUntil());
            rows.put(current.id(), new Row(changed, row.key(), cancelKey, move.settles() ? null : now,
                    move.settles() ? null : row.leaseOwner()));
            return Optional.of(after);
        }
    }

    @Override
    public synchronized void reschedule(Order order, Instant nextAttemptAt, Instant now) {
        Row row = rows.get(order.id());
        Order stored = row.order();
        if (stored.status() == order.status() && stored.owed() == order.owed()) {
            Order changed = new Order(stored.id(), stored.userId(), stored.status(), stored.owed(), stored.lines(),
                    stored.totalMinor(), stored.currency(), stored.paymentId(), stored.refundId(),
                    stored.attempts() + 1, stored.createdAt(), now, stored.fingerprint(), null);
            rows.put(order.id(), row.with(changed, nextAttemptAt, null));
        }
    }

    @Override
    public synchronized boolean claim(UUID id, String owner, Instant now, Instant until) {
        Row row = rows.get(id);
        if (!isDue(row, now)) {
            return false;
        }
        rows.put(id, row.with(withLease(row.order(), until), row.nextAttemptAt(), owner));
        return true;
    }

    @Override
    public synchronized void release(UUID id, String owner) {
        Row row = rows.get(id);
        if (owner.equals(row.leaseOwner())) {
            rows.put(id, row.with(withLease(row.order(), null), row.nextAttemptAt(), null));
        }
    }

    @Override
    public synchronized List<UUID> due(Instant now, int limit) {
        List<Row> due = new ArrayList<>(rows.values().stream().filter(row -> isDue(row, now)).toList());
        due.sort(Comparator.comparing(Row::nextAttemptAt));
        return due.stream().limit(limit).map(row -> row.order().id()).toList();
    }

    @Override
    public synchronized long countPending() {
        return rows.values().stream().filter(row -> row.order().status() == OrderStatus.PENDING).count();
    }

    private static boolean isDue(Row row, Instant now) {
        Instant leaseUntil = row.order().leaseUntil();
        return row.nextAttemptAt() != null && !row.nextAttemptAt().isAfter(now)
               && (leaseUntil == null || leaseUntil.isBefore(now));
    }

    static Order withLease(Order order, Instant leaseUntil) {
        return new Order(order.id(), order.userId(), order.status(), order.owed(), order.lines(), order.totalMinor(),
                order.currency(), order.paymentId(), order.refundId(), order.attempts(), order.createdAt(),
                order.updatedAt(), order.fingerprint(), leaseUntil);
    }
}
