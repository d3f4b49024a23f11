package io.meshshop.order.api;

import java.util.UUID;

import io.meshshop.common.auth.BearerTokens;
import io.meshshop.common.auth.Caller;
import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.common.idempotency.IdempotencyKey;
import io.meshshop.common.json.Ids;
import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.json.JsonInput;
import io.meshshop.common.observe.Spans;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.Problems;
import io.meshshop.order.clients.ForwardedHeaders;
import io.meshshop.order.clients.PaymentClient;
import io.meshshop.order.clients.UserClient;
import io.meshshop.order.domain.Cancellation;
import io.meshshop.order.domain.Checkout;
import io.meshshop.order.domain.Order;
import io.meshshop.order.domain.OrderStatus;
import io.meshshop.order.store.OrderStore;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/orders}: place, read, list and cancel orders.
 *
 * <p>Status codes say how settled the answer is: {@code 201} an order whose payment has an outcome (PAID,
 * or PAYMENT_DECLINED: a decline is an order in that state, not an error, since the order exists and can be
 * read), {@code 202} an order still PENDING (payment could not answer; recovery settles it, poll Location);
 * for a cancel {@code 200} CANCELLED, {@code 202} CANCELLING.
 *
 * <p>Every route needs the customer's bearer token, and acts for the token's subject only: an order is
 * placed for the caller, the list is the caller's, and another customer's order answers {@code 404} exactly
 * as an unknown id does.
 *
 * <p>Placing and cancelling carry an Idempotency-Key, kept on the order itself (see {@link Checkout}), and
 * answer a repeat as common's {@code Idempotency} does: marked {@code Idempotent-Replayed: true}, counted in
 * {@code meshshop_idempotency_requests_total}.
 */
public final class OrderHttpService implements HttpService {

    /** How many of a user's orders a list answers, newest first. */
    static final int LIST_LIMIT = 100;

    private final Checkout checkout;
    private final Cancellation cancellation;
    private final OrderStore orders;
    private final UserClient users;
    private final PaymentClient payments;
    private final BearerTokens tokens;

    public OrderHttpService(Checkout checkout, Cancellation cancellation, OrderStore orders, UserClient users,
                            PaymentClient payments, BearerTokens tokens) {
        this.checkout = checkout;
        this.cancellation = cancellation;
        this.orders = orders;
        this.users = users;
        this.payments = payments;
        this.tokens = tokens;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::place)
                .get("/", this::list)
                .get("/{id}", this::get)
                .post("/{id}/cancel", this::cancel)
                .any("/", Problems.methodNotAllowed("GET, POST"))
                .any("/{id}", Problems.methodNotAllowed("GET"))
                .any("/{id}/cancel", Problems.methodNotAllowed("POST"));
    }

    private void place(ServerRequest req, ServerResponse res) {
        Caller caller = tokens.require(req);
        IdempotencyKey key = IdempotencyKey.required(req);
        JsonInput in = JsonInput.read(req);
        OrderJson.Placement placement = OrderJson.Placement.from(in);
        String fingerprint = Idempotency.fingerprint(req.prologue().method().text(), req.path().absolute().path(),
                in.rawBody());
        ForwardedHeaders forwarded = ForwardedHeaders.from(req);
        Checkout.Placed placed = checkout.place(
                new Checkout.Request(caller.userId(), placement.items(), key.value(), fingerprint),
                users.forRequest(forwarded), payments.forRequest(forwarded));
        Order order = placed.order();
        Spans.tag("order.id", order.id().toString());
        Spans.tag("order.status", order.status().name());
        Idempotency.answered(res, placed.replayed());
        res.status(order.status() == OrderStatus.PENDING ? Status.ACCEPTED_202 : Status.CREATED_201);
        res.header(HeaderNames.LOCATION, location(order));
        res.send(OrderJson.order(order));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Caller caller = tokens.require(req);
        UUID id = pathId(req);
        Order order = orders.find(id)
                .filter(found -> found.belongsTo(caller.userId()))
                .orElseThrow(() -> ProblemException.notFound("Order " + id));
        res.send(OrderJson.order(order));
    }

    /**
     * The caller's orders, newest first. The former {@code ?userId=} is refused rather than ignored, so a
     * client that still sends it learns that the list is always the caller's.
     */
    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = tokens.require(req);
        if (req.query().contains("userId")) {
            throw ProblemException.invalid("userId", "is not accepted: the list is always the signed-in customer's orders");
        }
        res.send(JsonFactories.items(orders.findByUser(caller.userId(), LIST_LIMIT), OrderJson::order));
    }

    /**
     * The cancel's effect calls payment, so it cannot live in one database transaction with a stored reply
     * (common's Idempotency); the key is kept on the order and the order's own state machine makes a repeat
     * harmless instead.
     */
    private void cancel(ServerRequest req, ServerResponse res) {
        Caller caller = tokens.require(req);
        UUID id = pathId(req);
        IdempotencyKey key = IdempotencyKey.required(req);
        Cancellation.Cancelled cancelled = cancellation.cancel(caller.userId(), id, key.value(),
                payments.forRequest(ForwardedHeaders.from(req)));
        Order order = cancelled.order();
        Idempotency.answered(res, cancelled.replayed());
        if (order.status() == OrderStatus.CANCELLED) {
            res.status(Status.OK_200);
        } else {
            res.status(Status.ACCEPTED_202);
            res.header(HeaderNames.LOCATION, location(order));
        }
        res.send(OrderJson.order(order));
    }

    private static String location(Order order) {
        return "/api/orders/" + order.id();
    }

    private static UUID pathId(ServerRequest req) {
        return Ids.pathUuid("id", req.path().pathParameters().get("id"));
    }
}
