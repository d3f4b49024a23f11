package io.meshshop.payment.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.db.DatabaseErrors;
import io.meshshop.common.db.Rows;
import io.meshshop.payment.domain.OrderAlreadyCapturedException;
import io.meshshop.payment.domain.Payment;
import io.meshshop.payment.domain.PaymentStatus;
import io.meshshop.payment.domain.Refund;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/**
 * The {@code payments} and {@code refunds} tables. Every statement is parameterised. UUID parameters are
 * cast in SQL because DbClient binds them as text, which PostgreSQL will not compare with a {@code uuid}
 * (docs/helidon-workarounds.md#uuid-parameters).
 * <p>Statements are named: the name is the database span's in Jaeger, and DbClient would otherwise hash the
 * statement's text to name it on every execution (docs/helidon-workarounds.md#unnamed-statements).
 */
public final class PaymentStore {

    private static final String PAYMENT_COLUMNS = "id, order_id, user_id, amount_minor, currency, status,"
                                                  + " refunded_minor, decline_reason, created_at";
    private static final String REFUND_COLUMNS = "id, payment_id, amount_minor, currency, created_at";

    private final DbClient db;

    public PaymentStore(DbClient db) {
        this.db = db;
    }

    /** Inserts a capture, which takes the order's capture slot ({@code payments_one_capture_per_order}). */
    public void insertCapture(DbExecute tx, Payment payment) {
        try {
            tx.createNamedInsert("payments-insert",
                            "INSERT INTO payments (id, order_id, user_id, amount_minor, currency, status, refunded_minor,"
                            + " captured_order_id, created_at, updated_at) VALUES (CAST(? AS UUID), CAST(? AS UUID),"
                            + " CAST(? AS UUID), ?, ?, 'CAPTURED', 0, CAST(? AS UUID), ?, ?)")
                    .params(payment.id(), payment.orderId(), payment.userId(), payment.amountMinor(),
                            payment.currency(), payment.orderId(), Rows.timestamp(payment.createdAt()),
                            Rows.timestamp(payment.createdAt()))
                    .execute();
        } catch (DbClientException e) {
            if (!DatabaseErrors.isUniqueViolation(e)) {
                throw e;
            }
            // PostgreSQL has aborted the transaction by now, so the capture that won is read on a connection
            // of its own. Both databases raise the violation only once that capture committed, so it is there.
            UUID existing = findCapture(payment.orderId()).orElseThrow(() -> e);
            throw new OrderAlreadyCapturedException(payment.orderId(), existing);
        }
    }

    /** Turns a just-inserted capture into a decline, which frees the order for another charge. */
    public void markDeclined(DbExecute tx, Payment payment, Instant now) {
        tx.createNamedUpdate("payments-decline",
                        "UPDATE payments SET status = 'DECLINED', decline_reason = ?, captured_order_id = NULL,"
                        + " updated_at = ? WHERE id = CAST(? AS UUID)")
                .params(payment.declineReason(), Rows.timestamp(now), payment.id())
                .execute();
    }

    /**
     * Adds a refund to a capture in one conditional update. The database locks the row and evaluates the
     * condition against the latest committed total, so concurrent refunds on any replica serialise and the
     * total cannot pass the capture; a check in Java between a read and a write could not promise that.
     *
     * @return false when nothing was updated: no such payment, a decline, or not enough left to refund
     */
    public boolean addRefunded(DbExecute tx, UUID paymentId, long amountMinor, Instant now) {
        return tx.createNamedUpdate("payments-add-refunded",
                        "UPDATE payments SET refunded_minor = refunded_minor + ?,"
                        + " status = CASE WHEN refunded_minor + ? = amount_minor THEN 'REFUNDED'"
                        + " ELSE 'PARTIALLY_REFUNDED' END, updated_at = ?"
                        + " WHERE id = CAST(? AS UUID) AND status <> 'DECLINED'"
                        + " AND refunded_minor + ? <= amount_minor")
                .params(amountMinor, amountMinor, Rows.timestamp(now), paymentId, amountMinor)
                .execute() == 1;
    }

    public void insertRefund(DbExecute tx, Refund refund) {
        tx.createNamedInsert("refunds-insert",
                        "INSERT INTO refunds (" + REFUND_COLUMNS + ") VALUES (CAST(? AS UUID), CAST(? AS UUID), ?, ?, ?)")
                .params(refund.id(), refund.paymentId(), refund.amountMinor(), refund.currency(),
                        Rows.timestamp(refund.createdAt()))
                .execute();
    }

    public Optional<Payment> find(UUID id) {
        return find(db.execute(), id);
    }

    public Optional<Payment> find(DbExecute tx, UUID id) {
        return tx.createNamedGet("payments-find",
                        "SELECT " + PAYMENT_COLUMNS + " FROM payments WHERE id = CAST(? AS UUID)")
                .params(id)
                .execute()
                .map(PaymentStore::payment);
    }

    /** Every payment of an order, oldest first: any number of declines and at most one capture. */
    public List<Payment> findByOrder(UUID orderId) {
        return db.execute().createNamedQuery("payments-by-order",
                        "SELECT " + PAYMENT_COLUMNS + " FROM payments WHERE order_id = CAST(? AS UUID)"
                        + " ORDER BY created_at, id")
                .params(orderId)
                .execute()
                .map(PaymentStore::payment).toList();
    }

    public List<Refund> refunds(UUID paymentId) {
        return db.execute().createNamedQuery("refunds-of-payment",
                        "SELECT " + REFUND_COLUMNS + " FROM refunds WHERE payment_id = CAST(? AS UUID)"
                        + " ORDER BY created_at, id")
                .params(paymentId)
                .execute()
                .map(PaymentStore::refund).toList();
    }

    public Optional<Refund> findRefund(UUID paymentId, UUID refundId) {
        return db.execute().createNamedGet("refunds-find",
                        "SELECT " + REFUND_COLUMNS + " FROM refunds WHERE id = CAST(? AS UUID)"
                        + " AND payment_id = CAST(? AS UUID)")
                .params(refundId, paymentId)
                .execute().map(PaymentStore::refund);
    }

    private Optional<UUID> findCapture(UUID orderId) {
        return db.execute().createNamedGet("payments-capture-of-order",
                        "SELECT id FROM payments WHERE captured_order_id = CAST(? AS UUID)")
                .params(orderId)
                .execute()
                .map(row -> Rows.uuid(row, "id"));
    }

    private static Payment payment(DbRow row) {
        return new Payment(Rows.uuid(row, "id"), Rows.uuid(row, "order_id"), Rows.uuid(row, "user_id"),
                Rows.longValue(row, "amount_minor"), row.column("currency").get(String.class),
                PaymentStatus.valueOf(row.column("status").get(String.class)), Rows.longValue(row, "refunded_minor"),
                row.column("decline_reason").get(String.class), Rows.instant(row, "created_at"));
    }

    private static Refund refund(DbRow row) {
        return new Refund(Rows.uuid(row, "id"), Rows.uuid(row, "payment_id"), Rows.longValue(row, "amount_minor"),
                row.column("currency").get(String.class), Rows.instant(row, "created_at"));
    }
}
