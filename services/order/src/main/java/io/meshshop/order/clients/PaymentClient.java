package io.meshshop.order.clients;

import java.io.IOException;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.idempotency.IdempotencyKey;
import io.meshshop.common.json.Ids;
import io.meshshop.common.json.JsonFactories;
import io.meshshop.order.domain.Order;
import io.meshshop.order.domain.PaymentGateway;
import io.meshshop.order.domain.PaymentOutcome;

import io.helidon.config.Config;

import jakarta.json.JsonObject;

/**
 * The payment service ({@code payment.service.url}, in the cluster {@code http://payment:8080}). Charges and
 * refunds carry Idempotency-Keys derived from the order id, so whoever sends them how often (this request,
 * the mesh's retry, a recovery pass on any instance) they are one charge and one refund. Every answer that
 * is not a definite result is {@link PaymentOutcome.Unknown}: the money may have moved, and only the same
 * request again can tell.
 *
 * <p>{@link #create} makes the client recovery uses, which carries no request's headers;
 * {@link #forRequest} the one a request uses, which carries its trace context (never the customer's token).
 */
public final class PaymentClient implements PaymentGateway {

    private static final System.Logger LOG = System.getLogger(PaymentClient.class.getName());

    private final Dependency client;
    private final ForwardedHeaders headers;

    private PaymentClient(Dependency client, ForwardedHeaders headers) {
        this.client = client;
        this.headers = headers;
    }

    public static PaymentClient create(Config service) {
        return new PaymentClient(Dependency.create(service), ForwardedHeaders.none());
    }

    /** The same client (and connections), sending the trace context of the request it works for. */
    public PaymentClient forRequest(ForwardedHeaders requestHeaders) {
        return new PaymentClient(client, requestHeaders);
    }

    /** Sends the order's charge: {@link PaymentOutcome.Captured}, {@link PaymentOutcome.Declined} or unknown. */
    @Override
    public PaymentOutcome charge(Order order) {
        JsonObject body = JsonFactories.object()
                .add("orderId", order.id().toString())
                .add("userId", order.userId().toString())
                .add("amountMinor", order.totalMinor())
                .add("currency", order.currency())
                .build();
        Optional<Dependency.Answer> sent = post("/api/payments", order.chargeKey(), body);
        if (sent.isEmpty()) {
            return new PaymentOutcome.Unknown("payment unreachable or too slow");
        }
        Dependency.Answer answer = sent.get();
        Optional<UUID> paymentId = (answer.status() == 201 ? answer.string("id") : answer.string("paymentId"))
                .flatMap(Ids::parseUuid);
        return switch (answer.status()) {
            case 201 -> paymentId.<PaymentOutcome>map(id -> "DECLINED".equals(answer.string("status").orElse(""))
                            ? new PaymentOutcome.Declined(id) : new PaymentOutcome.Captured(id))
                    .orElseGet(() -> unexpected(order, answer));
            // A decline is an answer: recorded at payment, replayed for the same key.
            case 402 -> paymentId.<PaymentOutcome>map(PaymentOutcome.Declined::new).orElseGet(() -> unexpected(order, answer));
            // The order already has a capture (its key expired at payment, say): that capture is this order's.
            case 409 -> answer.problemType().equals("order-already-captured") && paymentId.isPresent()
                    ? new PaymentOutcome.Captured(paymentId.get())
                    // idempotency-in-flight: the same charge is being processed right now.
                    : new PaymentOutcome.Unknown("payment answered 409 " + answer.problemType());
            default -> unexpected(order, answer);
        };
    }

    /** Refunds the order's capture in full: {@link PaymentOutcome.Refunded} or unknown. */
    @Override
    public PaymentOutcome refund(Order order) {
        JsonObject body = JsonFactories.object().add("amountMinor", order.totalMinor()).build();
        Optional<Dependency.Answer> sent = post("/api/payments/" + order.paymentId() + "/refunds", order.refundKey(),
                body);
        if (sent.isEmpty()) {
            return new PaymentOutcome.Unknown("payment unreachable or too slow");
        }
        Dependency.Answer answer = sent.get();
        if (answer.status() == 201) {
            Optional<UUID> refundId = answer.string("id").flatMap(Ids::parseUuid);
            if (refundId.isPresent()) {
                return new PaymentOutcome.Refunded(refundId.get());
            }
        }
        return unexpected(order, answer);
    }

    private Optional<Dependency.Answer> post(String path, String key, JsonObject body) {
        try {
            return Optional.of(client.post(path, request -> {
                headers.applyTraceContextTo(request);
                request.header(IdempotencyKey.HEADER.defaultCase(), key);
            }, body));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "payment call " + key + " has no answer", e);
            return Optional.empty();
        }
    }

    /** 5xx, a mesh 503/504, or an answer this client does not understand: the outcome stays unknown. */
    private static PaymentOutcome unexpected(Order order, Dependency.Answer answer) {
        String why = "payment answered " + answer.status() + " " + answer.problemType();
        System.Logger.Level level = answer.status() >= 500 ? System.Logger.Level.INFO : System.Logger.Level.WARNING;
        LOG.log(level, "Order " + order.id() + ": " + why);
        return new PaymentOutcome.Unknown(why);
    }
}
