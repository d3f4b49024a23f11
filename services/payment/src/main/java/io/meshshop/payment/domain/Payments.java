package io.meshshop.payment.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.payment.store.PaymentStore;

import io.helidon.dbclient.DbExecute;

/**
 * The payment rules. Each one is decided by the database inside the caller's transaction, so that they hold
 * with any number of replicas and concurrent requests: one capture per order (a unique constraint), refunds
 * never above the capture (a conditional update).
 */
public final class Payments {

    private final PaymentStore store;
    private final Acquirer acquirer;
    /** A {@code MicrosecondClock}: what the database keeps is what is answered. */
    private final Clock clock;

    public Payments(PaymentStore store, Acquirer acquirer, Clock clock) {
        this.store = store;
        this.acquirer = acquirer;
        this.clock = clock;
    }

    /**
     * Records a charge of an order and asks the acquirer. The row is inserted as a capture first: that
     * takes the order's capture slot, making a concurrent charge of the same order (under another key, on
     * any replica) wait for this transaction and then fail with {@link OrderAlreadyCapturedException}
     * before the acquirer is asked. A decline gives the slot back within the same transaction.
     */
    public Payment charge(DbExecute tx, UUID orderId, UUID userId, long amountMinor, String currency) {
        Payment payment = new Payment(UUID.randomUUID(), orderId, userId, amountMinor, currency,
                PaymentStatus.CAPTURED, 0, null, clock.instant());
        store.insertCapture(tx, payment);
        Acquirer.Decision decision = acquirer.capture(payment);
        if (decision.approved()) {
            return payment;
        }
        Payment declined = payment.declined(decision.declineReason());
        store.markDeclined(tx, declined, clock.instant());
        return declined;
    }

    /**
     * Refunds part or all of a capture; the refunded total can never pass the captured amount. A refund the
     * payment's state refuses is returned, not thrown, like a decline: an answer to store and replay.
     *
     * @throws ProblemException 404 when there is no such payment
     */
    public RefundDecision refund(DbExecute tx, UUID paymentId, long amountMinor) {
        Instant now = clock.instant();
        if (!store.addRefunded(tx, paymentId, amountMinor, now)) {
            // The update matched nothing; read the committed state only to say why.
            Payment payment = store.find(tx, paymentId)
                    .orElseThrow(() -> ProblemException.notFound("Payment " + paymentId));
            return payment.status() == PaymentStatus.DECLINED
                    ? RefundDecision.notRefundable(payment)
                    : RefundDecision.exceedsCapture(payment, amountMinor);
        }
        // The update above locked the row until commit, so this read is the state this refund produced.
        Payment payment = store.find(tx, paymentId).orElseThrow();
        Refund refund = new Refund(UUID.randomUUID(), paymentId, amountMinor, payment.currency(), now);
        store.insertRefund(tx, refund);
        return new RefundDecision.Refunded(refund);
    }
}
