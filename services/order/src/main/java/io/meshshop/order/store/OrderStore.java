package io.meshshop.order.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.db.DatabaseErrors;
import io.meshshop.common.db.Rows;
import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.order.domain.Order;
import io.meshshop.order.domain.OrderLine;
import io.meshshop.order.domain.OrderStatus;
import io.meshshop.order.domain.Owed;
import io.meshshop.order.domain.StoredOrders;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbTransaction;

/**
 * The {@code orders} and {@code order_lines} tables. Every state change is a conditional UPDATE on the
 * state it starts from, and every claim a conditional UPDATE on the lease: PostgreSQL and H2 both let only
 * one of two concurrent updates of a row match, which is what keeps two instances from moving one order
 * twice. UUID parameters are cast in SQL because DbClient binds them as text
 * (docs/helidon-workarounds.md#uuid-parameters).
 * <p>Statements are named and fixed: the name is the database span's in Jaeger (DbClient would otherwise
 * hash the statement's text to name it on every execution: docs/helidon-workarounds.md#unnamed-statements),
 * and each name stands for one text, so what a span shows is what ran.
 */
public final class OrderStore implements StoredOrders {

    private static final System.Logger LOG = System.getLogger(OrderStore.class.getName());
    private static final String COLUMNS = "id, user_id, status, owed, total_minor, currency, payment_id, refund_id,"
            + " attempts, created_at, updated_at, fingerprint, lease_until";
    private static final String LINE_COLUMNS = "order_id, line_no, sku, name, quantity, unit_price_minor";
    /** The order's columns and its lines', for a join of orders {@code o} with order_lines {@code l}. */
    private static final String ORDER_WITH_LINES = "o.id, o.user_id, o.status, o.owed, o.total_minor, o.currency,"
            + " o.payment_id, o.refund_id, o.attempts, o.created_at, o.updated_at, o.fingerprint, o.lease_until,"
            + " l.sku, l.name, l.quantity, l.unit_price_minor";
    /** The most lines an order can have (the API's limit is lower). */
    static final int MAX_LINES = 100;
    /** Index n: the multi-row INSERT of n lines. */
    private static final String[] INSERT_LINES = new String[MAX_LINES + 1];

    static {
        for (int n = 1; n <= MAX_LINES; n++) {
            StringBuilder sql = new StringBuilder("INSERT INTO order_lines (" + LINE_COLUMNS + ") VALUES ");
            for (int i = 0; i < n; i++) {
                sql.append(i == 0 ? "" : ", ").append("(CAST(? AS UUID), ?, ?, ?, ?, ?)");
            }
            INSERT_LINES[n] = sql.toString();
        }
    }

    private final DbClient db;

    public OrderStore(DbClient db) {
        this.db = db;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Two statements and a commit whatever the number of lines: the lines go in one multi-row INSERT,
     * which both databases accept, instead of a round trip per line.
     */
    @Override
    public boolean insert(Order order, String idempotencyKey, String leaseOwner, Instant nextAttemptAt) {
        DbTransaction tx = db.transaction();
        try {
            tx.createNamedInsert("orders-insert",
                            "INSERT INTO orders (id, user_id, status, owed, total_minor, currency, idem_key, fingerprint,"
                            + " attempts, next_attempt_at, lease_owner, lease_until, created_at, updated_at)"
                            + " VALUES (CAST(? AS UUID), CAST(? AS UUID), ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)")
                    .params(order.id(), order.userId(), order.status().name(), order.owed().name(),
                            order.totalMinor(), order.currency(), idempotencyKey, order.fingerprint(),
                            Rows.timestamp(nextAttemptAt), leaseOwner, Rows.timestamp(order.leaseUntil()),
                            Rows.timestamp(order.createdAt()), Rows.timestamp(order.updatedAt()))
                    .execute();
            List<OrderLine> lines = order.lines();
            Object[] params = new Object[lines.size() * 6];
            int p = 0;
            for (int i = 0; i < lines.size(); i++) {
                OrderLine line = lines.get(i);
                params[p++] = order.id();
                params[p++] = i + 1;
                params[p++] = line.sku();
                params[p++] = line.name();
                params[p++] = line.quantity();
                params[p++] = line.unitPriceMinor();
            }
            long inserted = tx.createNamedInsert("order-lines-insert", insertLinesSql(lines.size()))
                    .params(params)
                    .execute();
            if (inserted != lines.size()) {
                throw new IllegalStateException("Inserted " + inserted + " of " + lines.size() + " order lines");
            }
            tx.commit();
            return true;
        } catch (DbClientException e) {
            rollbackQuietly(tx);
            if (DatabaseErrors.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        } catch (RuntimeException e) {
            rollbackQuietly(tx);
            throw e;
        }
    }

    /** {@code INSERT INTO order_lines ... VALUES (...), (...)} for {@code count} lines; one text per count, so drivers cache it. */
    static String insertLinesSql(int count) {
        if (count < 1 || count > MAX_LINES) {
            throw new IllegalArgumentException("An order has 1 to " + MAX_LINES + " lines, not " + count);
        }
        return INSERT_LINES[count];
    }

    @Override
    public Optional<Order> find(UUID id) {
        return withLines("orders-find-with-lines", "o.id = CAST(? AS UUID)", id);
    }

    @Override
    public Optional<Order> findByKey(UUID userId, String idempotencyKey) {
        return withLines("orders-find-by-key-with-lines", "o.user_id = CAST(? AS UUID) AND o.idem_key = ?", userId,
                idempotencyKey);
    }

    /**
     * The order matching {@code where} (on a unique column) with its lines, in one query returning a row per
     * line. Every order has at least one line (they are inserted together), so the inner join finds it.
     */
    private Optional<Order> withLines(String statement, String where, Object... params) {
        List<OrderLine> lines = new ArrayList<>();
        DbRow[] first = new DbRow[1];
        db.execute().createNamedQuery(statement,
                        "SELECT " + ORDER_WITH_LINES + " FROM orders o JOIN order_lines l ON l.order_id = o.id"
                        + " WHERE " + where + " ORDER BY l.line_no")
                .params(params)
                .execute()
                .forEach(row -> {
                    if (first[0] == null) {
                        first[0] = row;
                    }
                    lines.add(line(row));
                });
        return first[0] == null ? Optional.empty() : Optional.of(order(first[0], lines));
    }

    @Override
    public Optional<UUID> cancelledWith(UUID userId, String cancelKey) {
        return db.execute().createNamedGet("orders-find-by-cancel-key",
                        "SELECT id FROM orders WHERE user_id = CAST(? AS UUID) AND cancel_key = ?")
                .params(userId, cancelKey)
                .execute().map(row -> Rows.uuid(row, "id"));
    }

    /** The user's {@code limit} most recent orders, newest first, with their lines (two queries). */
    public List<Order> findByUser(UUID userId, int limit) {
        Map<UUID, List<OrderLine>> lines = new LinkedHashMap<>();
        db.execute().createNamedQuery("order-lines-of-user",
                        "SELECT l.order_id, l.line_no, l.sku, l.name, l.quantity, l.unit_price_minor"
                        + " FROM order_lines l JOIN (SELECT id FROM orders WHERE user_id = CAST(? AS UUID)"
                        + " ORDER BY created_at DESC, id LIMIT ?) o ON o.id = l.order_id"
                        + " ORDER BY l.order_id, l.line_no")
                .params(userId, limit)
                .execute()
                .forEach(row -> lines.computeIfAbsent(Rows.uuid(row, "order_id"), k -> new ArrayList<>()).add(line(row)));
        return db.execute().createNamedQuery("orders-of-user",
                        "SELECT " + COLUMNS + " FROM orders WHERE user_id = CAST(? AS UUID)"
                        + " ORDER BY created_at DESC, id LIMIT ?")
                .params(userId, limit)
                .execute()
                .map(row -> order(row, lines.getOrDefault(Rows.uuid(row, "id"), List.of())))
                .toList();
    }

    /**
     * {@inheritDoc}
     *
     * <p>One fixed statement per kind of move. Attempts are part of each condition so that a match means the
     * row was exactly {@code current} (state, ids and attempts; the rest never changes), and the order after
     * the move is known without reading it back.
     */
    @Override
    public Optional<Order> apply(Order current, Order.Move move, Instant now) {
        // Before the update: a move that does not start from current is a bug, not a lost race.
        Order after = current.moved(move, now);
        OffsetDateTime at = Rows.timestamp(now);
        long updated = switch (move) {
            case Order.Move.ChargeSettled m -> db.execute().createNamedUpdate("orders-settle-charge",
                            "UPDATE orders SET status = ?, owed = NULL, payment_id = CAST(? AS UUID),"
                            + " attempts = attempts + 1, next_attempt_at = NULL, lease_owner = NULL,"
                            + " lease_until = NULL, updated_at = ? WHERE id = CAST(? AS UUID) AND status = ?"
                            + " AND owed = 'CHARGE' AND attempts = ?")
                    .params(m.toStatus().name(), m.paymentId(), at, current.id(), m.fromStatus().name(),
                            current.attempts())
                    .execute();
            case Order.Move.CaptureToRefund m -> db.execute().createNamedUpdate("orders-capture-to-refund",
                            "UPDATE orders SET owed = 'REFUND', payment_id = CAST(? AS UUID), attempts = attempts + 1,"
                            + " next_attempt_at = ?, updated_at = ? WHERE id = CAST(? AS UUID)"
                            + " AND status = 'CANCELLING' AND owed = 'CHARGE' AND attempts = ?")
                    .params(m.paymentId(), at, at, current.id(), current.attempts())
                    .execute();
            case Order.Move.Refunded m -> db.execute().createNamedUpdate("orders-refunded",
                            "UPDATE orders SET status = 'CANCELLED', owed = NULL, refund_id = CAST(? AS UUID),"
                            + " attempts = attempts + 1, next_attempt_at = NULL, lease_owner = NULL,"
                            + " lease_until = NULL, updated_at = ? WHERE id = CAST(? AS UUID)"
                            + " AND status = 'CANCELLING' AND owed = 'REFUND' AND attempts = ?")
                    .params(m.refundId(), at, current.id(), current.attempts())
                    .execute();
            case Order.Move.Cancel m -> cancel(current, m, at);
        };
        return updated == 1 ? Optional.of(after) : Optional.empty();
    }

    /** The cancel's statement. Status alone says what is owed (PENDING a charge, PAID nothing: a check constraint). */
    private long cancel(Order current, Order.Move.Cancel move, OffsetDateTime at) {
        try {
            return db.execute().createNamedUpdate("orders-cancel",
                            "UPDATE orders SET status = 'CANCELLING', owed = ?, cancel_key = ?, next_attempt_at = ?,"
                            + " updated_at = ? WHERE id = CAST(? AS UUID) AND status = ? AND attempts = ?")
                    .params(move.toOwed().name(), move.cancelKey(), at, at, current.id(), move.fromStatus().name(),
                            current.attempts())
                    .execute();
        } catch (DbClientException e) {
            if (DatabaseErrors.isUniqueViolation(e)) {
                throw Idempotency.keyReused("This Idempotency-Key already cancelled another order; use a new key");
            }
            throw e;
        }
    }

    @Override
    public void reschedule(Order order, Instant nextAttemptAt, Instant now) {
        db.execute().createNamedUpdate("orders-reschedule",
                        "UPDATE orders SET attempts = attempts + 1, next_attempt_at = ?, lease_owner = NULL,"
                        + " lease_until = NULL, updated_at = ? WHERE id = CAST(? AS UUID) AND status = ? AND owed = ?")
                .params(Rows.timestamp(nextAttemptAt), Rows.timestamp(now), order.id(), order.status().name(),
                        order.owed().name())
                .execute();
    }

    @Override
    public boolean claim(UUID id, String owner, Instant now, Instant until) {
        return db.execute().createNamedUpdate("orders-claim",
                        "UPDATE orders SET lease_owner = ?, lease_until = ? WHERE id = CAST(? AS UUID)"
                        + " AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)")
                .params(owner, Rows.timestamp(until), id, Rows.timestamp(now), Rows.timestamp(now))
                .execute() == 1;
    }

    @Override
    public void release(UUID id, String owner) {
        db.execute().createNamedUpdate("orders-release", "UPDATE orders SET lease_owner = NULL, lease_until = NULL"
                        + " WHERE id = CAST(? AS UUID) AND lease_owner = ?")
                .params(id, owner)
                .execute();
    }

    @Override
    public List<UUID> due(Instant now, int limit) {
        return db.execute().createNamedQuery("orders-due", "SELECT id FROM orders WHERE next_attempt_at <= ?"
                        + " AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?")
                .params(Rows.timestamp(now), Rows.timestamp(now), limit)
                .execute()
                .map(row -> Rows.uuid(row, "id"))
                .toList();
    }

    @Override
    public long countPending() {
        return db.execute().createNamedGet("orders-count-pending",
                        "SELECT COUNT(*) AS pending FROM orders WHERE status = 'PENDING'")
                .execute()
                .map(row -> Rows.longValue(row, "pending"))
                .orElse(0L);
    }

    private static Order order(DbRow row, List<OrderLine> lines) {
        return new Order(Rows.uuid(row, "id"), Rows.uuid(row, "user_id"),
                OrderStatus.valueOf(row.column("status").get(String.class)),
                Rows.isNull(row, "owed") ? null : Owed.valueOf(row.column("owed").get(String.class)), lines,
                Rows.longValue(row, "total_minor"), row.column("currency").get(String.class),
                Rows.uuid(row, "payment_id"),
                Rows.uuid(row, "refund_id"),
                Rows.intValue(row, "attempts"), Rows.instant(row, "created_at"),
                Rows.instant(row, "updated_at"), row.column("fingerprint").get(String.class),
                Rows.instant(row, "lease_until"));
    }

    private static OrderLine line(DbRow row) {
        return new OrderLine(row.column("sku").get(String.class), row.column("name").get(String.class),
                Rows.intValue(row, "quantity"), Rows.longValue(row, "unit_price_minor"));
    }

    private static void rollbackQuietly(DbTransaction tx) {
        try {
            tx.rollback();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Rollback failed", e);
        }
    }
}
