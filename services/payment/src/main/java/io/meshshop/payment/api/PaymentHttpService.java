package io.meshshop.payment.api;

import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.common.idempotency.IdempotencyKey;
import io.meshshop.common.json.Ids;
import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.json.JsonInput;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.Problems;
import io.meshshop.payment.domain.Payment;
import io.meshshop.payment.domain.Payments;
import io.meshshop.payment.store.PaymentStore;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/payments}: charge an order, read payments, refund them. Charges and refunds require an
 * {@code Idempotency-Key}: the mesh may deliver them twice, and only the key makes the second delivery
 * harmless.
 */
public final class PaymentHttpService implements HttpService {

    private final Payments payments;
    private final PaymentStore store;
    private final Idempotency idempotency;

    public PaymentHttpService(Payments payments, PaymentStore store, Idempotency idempotency) {
        this.payments = payments;
        this.store = store;
        this.idempotency = idempotency;
        PaymentMetrics.preRegister();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::charge)
                .get("/", this::listByOrder)
                .get("/{id}", this::get)
                .post("/{id}/refunds", this::refund)
                .get("/{id}/refunds", this::listRefunds)
                .get("/{id}/refunds/{refundId}", this::getRefund)
                .any("/", Problems.methodNotAllowed("GET, POST"))
                .any("/{id}", Problems.methodNotAllowed("GET"))
                .any("/{id}/refunds", Problems.methodNotAllowed("GET, POST"))
                .any("/{id}/refunds/{refundId}", Problems.methodNotAllowed("GET"));
    }

    /** Counted once the charge committed: {@code respond} hands back only what committed now. */
    private void charge(ServerRequest req, ServerResponse res) {
        IdempotencyKey key = IdempotencyKey.required(req);
        JsonInput in = JsonInput.read(req);
        PaymentJson.Charge charge = PaymentJson.Charge.from(in);
        idempotency.respond(req, res, Optional.of(key), in.rawBody(),
                        tx -> payments.charge(tx, charge.orderId(), charge.userId(), charge.amountMinor(),
                                charge.currency()),
                        PaymentJson::charged)
                .ifPresent(PaymentMetrics::charged);
    }

    private void refund(ServerRequest req, ServerResponse res) {
        UUID id = pathId(req);
        IdempotencyKey key = IdempotencyKey.required(req);
        JsonInput in = JsonInput.read(req);
        PaymentJson.RefundRequest refund = PaymentJson.RefundRequest.from(in);
        idempotency.respond(req, res, Optional.of(key), in.rawBody(),
                        tx -> payments.refund(tx, id, refund.amountMinor()), PaymentJson::refunded)
                .ifPresent(PaymentMetrics::refunded);
    }

    private void get(ServerRequest req, ServerResponse res) {
        res.send(PaymentJson.payment(existing(pathId(req))));
    }

    /** {@code ?orderId=} is required: payments are only ever listed per order. */
    private void listByOrder(ServerRequest req, ServerResponse res) {
        var query = req.query();
        if (!query.contains("orderId")) {
            throw ProblemException.invalid("orderId", "is required");
        }
        UUID orderId = Ids.pathUuid("orderId", query.get("orderId"));
        res.send(JsonFactories.items(store.findByOrder(orderId), PaymentJson::payment));
    }

    private void listRefunds(ServerRequest req, ServerResponse res) {
        Payment payment = existing(pathId(req));
        res.send(JsonFactories.items(store.refunds(payment.id()), PaymentJson::refund));
    }

    private void getRefund(ServerRequest req, ServerResponse res) {
        UUID id = pathId(req);
        UUID refundId = Ids.pathUuid("refundId", req.path().pathParameters().get("refundId"));
        res.send(PaymentJson.refund(store.findRefund(id, refundId)
                .orElseThrow(() -> ProblemException.notFound("Refund " + refundId + " of payment " + id))));
    }

    private Payment existing(UUID id) {
        return store.find(id).orElseThrow(() -> ProblemException.notFound("Payment " + id));
    }

    private static UUID pathId(ServerRequest req) {
        return Ids.pathUuid("id", req.path().pathParameters().get("id"));
    }
}
