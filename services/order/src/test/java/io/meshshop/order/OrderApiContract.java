package io.meshshop.order;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.Await;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.OpenApiContract;

import io.helidon.webserver.WebServer;

import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * The order API as a client sees it, over real HTTP, with the real user and payment services behind
 * recording proxies. Run once on H2 and once on PostgreSQL (every service on that database kind).
 */
abstract class OrderApiContract {

    private static final String PRODUCTS = "/api/products";
    private static final String ORDERS = "/api/orders";
    /** How long a test waits for recovery, which runs every 0.1 s here, on a machine that may be busy. */
    static final Duration WAIT = Duration.ofSeconds(15);

    private final String base;
    private final Services services;
    private Services.Customer shopper;

    OrderApiContract(WebServer order, Services services) {
        this.base = "http://localhost:" + order.port();
        this.services = services;
    }

    @BeforeEach
    @AfterEach
    void dependenciesUp() {
        services.userProxy.mode(TestProxy.Mode.FORWARD);
        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
    }

    // ---- catalogue ----------------------------------------------------------------------------------

    @Test
    void catalogueListsSeededProductsInOneCurrency() {
        Answer list = get(PRODUCTS);
        assertThat("status of " + list, list.status(), is(200));
        JsonArray items = list.json().getJsonArray("items");
        assertThat("at least the five seeded products", items.size() >= 5, is(true));
        Set<String> currencies = items.stream().map(v -> v.asJsonObject().getString("currency")).collect(Collectors.toSet());
        assertThat("currencies", currencies, is(Set.of("EUR")));
        JsonObject mug = get(PRODUCTS + "/MESH-MUG").json();
        assertThat("mug's priceMinor", mug.getJsonNumber("priceMinor").longValue(), is(1250L));
        assertThat("mug's name", mug.getString("name"), is("Service mesh mug"));
        assertThat("an unknown SKU", get(PRODUCTS + "/NO-SUCH-THING").status(), is(404));
        assertThat("a lower-case SKU", get(PRODUCTS + "/mesh-mug").status(), is(400));
        assertThat("SQL for a SKU", get(PRODUCTS + "/%27%20OR%201%3D1").status(), is(400));
        assertThat("DELETE of a product", send("DELETE", PRODUCTS + "/MESH-MUG", null).status(), is(405));
    }

    // ---- placing orders -----------------------------------------------------------------------------

    @Test
    void placesAnOrderPricedFromTheCatalogueAndPaysIt() {
        Services.Customer customer = services.signUp("Happy");
        Answer placed = place(customer, body("MESH-MUG", 2, "PILOT-CAP", 1), key());
        assertThat(placed.raw().body(), placed.status(), is(201));
        JsonObject order = placed.json();
        assertThat("order's status", order.getString("status"), is("PAID"));
        assertThat("order's totalMinor", order.getJsonNumber("totalMinor").longValue(), is(2 * 1250L + 1800L));
        assertThat("order's currency", order.getString("currency"), is("EUR"));
        assertThat("order's items",
                order.getJsonArray("items").getJsonObject(0).getJsonNumber("lineTotalMinor").longValue(), is(2500L));
        assertThat("placed's Location header", placed.header("Location"), is(ORDERS + "/" + order.getString("id")));
        assertThat("placed's Idempotent-Replayed header", placed.header("Idempotent-Replayed"), nullValue());

        List<JsonObject> payments = payments(order.getString("id"));
        assertThat("payments", payments, hasSize(1));
        assertThat("the capture is the order's payment", payments.getFirst().getString("id"), is(order.getString("paymentId")));
        assertThat("the payment's status", payments.getFirst().getString("status"), is("CAPTURED"));
        assertThat("the amount charged", payments.getFirst().getJsonNumber("amountMinor").longValue(), is(4300L));
        assertThat("the customer charged", payments.getFirst().getString("userId"), is(customer.id()));
        assertThat("the order is the token's customer's", order.getString("userId"), is(customer.id()));

        assertThat("the order read at its Location", get(customer, placed.header("Location")).json(), is(order));
        JsonArray mine = get(customer, ORDERS).json().getJsonArray("items");
        assertThat("mine", mine, hasSize(1));
        assertThat("mine.getJsonObject(0)", mine.getJsonObject(0), is(order));
    }

    @Test
    void aRepeatReturnsTheSameOrderAndAnotherBodyUnderTheKeyIs422() {
        Services.Customer customer = services.signUp("Replay");
        String key = key();
        String body = body("SIDECAR-TEE", 1);
        Answer first = place(customer, body, key);
        Answer again = place(customer, body, key);
        Answer quoted = place(customer, body, "\"" + key + "\"");
        assertThat("status of " + first, first.status(), is(201));
        for (Answer replay : List.of(again, quoted)) {
            assertThat("status of " + replay, replay.status(), is(201));
            assertThat("replay's JSON", replay.json(), is(first.json()));
            assertThat("replay's Location header", replay.header("Location"), is(first.header("Location")));
            assertThat("replay's Idempotent-Replayed header", replay.header("Idempotent-Replayed"), is("true"));
        }
        Answer other = place(customer, body("SIDECAR-TEE", 2), key);
        assertThat("status of " + other, other.status(), is(422));
        assertThat("other's problem type", other.problemType(), is("idempotency-key-reused"));
        assertThat("orders of of customer", ordersOf(customer), hasSize(1));
        assertThat("payments of the order", payments(first.json().getString("id")), hasSize(1));
    }

    @Test
    void twentyConcurrentDuplicatesCreateOneOrderAndOneCapture() {
        Services.Customer customer = services.signUp("Storm");
        String key = key();
        String body = body("ENVOY-HOODIE", 1);
        List<Callable<Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(() -> Answer.of(HttpCalls.send("POST", base + ORDERS, body, "Idempotency-Key", key,
                    "Authorization", "Bearer " + customer.token())));
        }
        List<Answer> answers = HttpCalls.concurrently(calls);
        Map<Integer, Long> byStatus = answers.stream()
                .collect(Collectors.groupingBy(Answer::status, TreeMap::new, Collectors.counting()));
        assertThat("statuses of the 20 duplicates",
                answers.stream().map(Answer::status).toList(), everyItem(isOneOf(201, 409)));
        Set<String> ids = answers.stream().filter(a -> a.status() == 201).map(a -> a.json().getString("id"))
                .collect(Collectors.toSet());
        assertThat("ids", ids, hasSize(1));
        String orderId = ids.iterator().next();
        List<JsonObject> payments = payments(orderId);
        System.out.printf("[%s] 20 concurrent duplicates: answers %s, orders %d, payments %d, charges seen by payment %d%n",
                kind(), byStatus, ordersOf(customer).size(), payments.size(),
                services.paymentProxy.seenWith("idempotency-key", "order-" + orderId + "-charge").size());
        assertThat("orders of of customer", ordersOf(customer), hasSize(1));
        assertThat("payments", payments, hasSize(1));
        assertThat("the payment's status", payments.getFirst().getString("status"), is("CAPTURED"));
    }

    @Test
    void aDeclineIsAnOrderInStatePaymentDeclinedThatCannotBeCancelled() {
        Services.Customer customer = services.signUp("Declined");
        // 9 x 120000 is above payment's default decline limit of 1000000 minor units.
        Answer placed = place(customer, body("CONSULTING-DAY", 9), key());
        assertThat(placed.raw().body(), placed.status(), is(201));
        JsonObject order = placed.json();
        assertThat("order's status", order.getString("status"), is("PAYMENT_DECLINED"));
        List<JsonObject> payments = payments(order.getString("id"));
        assertThat("payments", payments, hasSize(1));
        assertThat("the payment's status", payments.getFirst().getString("status"), is("DECLINED"));
        assertThat("order's paymentId", order.getString("paymentId"), is(payments.getFirst().getString("id")));
        Answer cancel = cancel(customer, order.getString("id"), key());
        assertThat("status of " + cancel, cancel.status(), is(409));
        assertThat("cancel's problem type", cancel.problemType(), is("order-not-cancellable"));
    }

    @Test
    void aCustomerDeletedSinceSignInIs422AndNothingIsStored() {
        Services.Customer customer = services.signUp("Gone");
        services.deleteUser(customer);
        int paymentCalls = services.paymentProxy.seen().size();
        Answer answer = place(customer, body("MESH-MUG", 1), key());
        assertThat(answer.raw().body(), answer.status(), is(422));
        assertThat("answer's problem type", answer.problemType(), is("unknown-user"));
        assertThat("the token is still valid for order until it expires", ordersOf(customer), hasSize(0));
        assertThat("payment not called", services.paymentProxy.seen().size(), is(paymentCalls));
    }

    @Test
    void anUnknownProductIs422NamingTheLineAndNothingIsStored() {
        Services.Customer customer = services.signUp("Unknown SKU");
        Answer answer = place(customer, body("MESH-MUG", 1, "NOT-FOR-SALE", 2), key());
        assertThat("status of " + answer, answer.status(), is(422));
        assertThat("answer's problem type", answer.problemType(), is("unknown-product"));
        assertThat("answer's errors",
                answer.json().getJsonArray("errors").getJsonObject(0).getString("field"), is("items[1].sku"));
        assertThat("orders of of customer", ordersOf(customer), hasSize(0));
    }

    @Test
    void userDownOrFailingIs503WithRetryAfterAndNothingIsStored() {
        Services.Customer customer = services.signUp("Unlucky");
        for (TestProxy.Mode failure : List.of(TestProxy.Mode.RESET, TestProxy.Mode.FAIL_503)) {
            services.userProxy.mode(failure);
            int paymentCalls = services.paymentProxy.seen().size();
            Answer answer = place(customer, body("MESH-MUG", 1), key());
            assertThat(failure.name(), answer.status(), is(503));
            assertThat("answer's problem type", answer.problemType(), is("dependency-unavailable"));
            assertThat("answer's Retry-After header", answer.header("Retry-After"), is("2"));
            assertThat("calls to payment", services.paymentProxy.seen().size(), is(paymentCalls));
        }
        services.userProxy.mode(TestProxy.Mode.FORWARD);
        assertThat("orders of of customer", ordersOf(customer), hasSize(0));
    }

    @Test
    void paymentDownLeavesTheOrderPendingUntilRecoveryChargesItOnce() {
        Services.Customer customer = services.signUp("Patient");
        String key = key();
        String body = body("PILOT-CAP", 2);
        String id = placePending(customer, TestProxy.Mode.RESET, body, key);
        assertThat("payments of id", payments(id), hasSize(0));
        Answer replay = place(customer, body, key);
        assertThat("status of " + replay, replay.status(), is(202));
        assertThat("replay's id", replay.json().getString("id"), is(id));

        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        awaitStatus(customer, id, "PAID");
        List<JsonObject> payments = payments(id);
        int sends = services.paymentProxy.seenWith("idempotency-key", "order-" + id + "-charge").size();
        System.out.printf("[%s] payment down then back: charge sent %d times (same key), captures %d, order %s%n",
                kind(), sends, payments.size(), get(customer, ORDERS + "/" + id).json().getString("status"));
        assertThat("payments", payments, hasSize(1));
        assertThat("the payment's status", payments.getFirst().getString("status"), is("CAPTURED"));
        assertThat("sends", sends, greaterThanOrEqualTo(2));
        assertThat("the same request once paid", place(customer, body, key).status(), is(201));
    }

    @Test
    void aCaptureWhoseResponseIsLostIsSettledAsPaidWithOneCapture() {
        Services.Customer customer = services.signUp("Lost");
        String id = placePending(customer, TestProxy.Mode.DROP_RESPONSE, body("MTLS-STICKERS", 3), key());
        assertThat("payment captured, order does not know yet", payments(id), hasSize(1));

        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        JsonObject paid = awaitStatus(customer, id, "PAID");
        List<JsonObject> payments = payments(id);
        int sends = services.paymentProxy.seenWith("idempotency-key", "order-" + id + "-charge").size();
        System.out.printf("[%s] response lost: charge sent %d times (same key), captures %d, order %s%n",
                kind(), sends, payments.size(), paid.getString("status"));
        assertThat("payments", payments, hasSize(1));
        assertThat("paid's paymentId", paid.getString("paymentId"), is(payments.getFirst().getString("id")));
        assertThat("sends", sends, greaterThanOrEqualTo(2));
    }

    // ---- cancelling -----------------------------------------------------------------------------------

    @Test
    void cancellingAPaidOrderRefundsItInFullAndRepeatsAreHarmless() {
        Services.Customer customer = services.signUp("Regret");
        JsonObject order = place(customer, body("ENVOY-HOODIE", 2), key()).json();
        String id = order.getString("id");
        String cancelKey = key();
        Answer cancelled = cancel(customer, id, cancelKey);
        assertThat(cancelled.raw().body(), cancelled.status(), is(200));
        assertThat("cancelled's status", cancelled.json().getString("status"), is("CANCELLED"));
        assertThat("cancelled's refundId", cancelled.json().getString("refundId"), notNullValue());

        JsonObject payment = payments(id).getFirst();
        assertThat("payment's status", payment.getString("status"), is("REFUNDED"));
        assertThat("payment's refundedMinor",
                payment.getJsonNumber("refundedMinor").longValue(), is(order.getJsonNumber("totalMinor").longValue()));

        Answer again = cancel(customer, id, cancelKey);
        Answer otherKey = cancel(customer, id, key());
        assertThat("status of " + again, again.status(), is(200));
        assertThat("again's JSON", again.json(), is(cancelled.json()));
        assertThat("the same cancel again is a replay", again.header("Idempotent-Replayed"), is("true"));
        assertThat("otherKey's JSON", otherKey.json(), is(cancelled.json()));
        assertThat("a cancel with another key is not", otherKey.header("Idempotent-Replayed"), nullValue());
        assertThat("services's size",
                services.paymentProxy.seen("POST", "/api/payments/" + payment.getString("id") + "/refunds").size(), is(1));

        String otherOrder = place(customer, body("MESH-MUG", 1), key()).json().getString("id");
        Answer reused = cancel(customer, otherOrder, cancelKey);
        assertThat("status of " + reused, reused.status(), is(422));
        assertThat("reused's problem type", reused.problemType(), is("idempotency-key-reused"));
        assertThat("the other order stays paid", get(customer, ORDERS + "/" + otherOrder).json().getString("status"), is("PAID"));
        assertThat("a cancel of an unknown order", cancel(customer, UUID.randomUUID().toString(), key()).status(), is(404));
        assertThat("no Idempotency-Key", send("POST", ORDERS + "/" + id + "/cancel", null, customer.bearer()).status(),
                is(400));
    }

    @Test
    void cancellingAPendingOrderRefundsALateCaptureNeverKeepsIt() {
        Services.Customer customer = services.signUp("Late");
        // The charge is captured but its answer lost: order cannot know it has been paid.
        String id = placePending(customer, TestProxy.Mode.DROP_RESPONSE, body("SIDECAR-TEE", 1), key());
        services.paymentProxy.mode(TestProxy.Mode.RESET);

        Answer cancelling = cancel(customer, id, key());
        assertThat("status of " + cancelling, cancelling.status(), is(202));
        assertThat("cancelling's status", cancelling.json().getString("status"), is("CANCELLING"));
        assertThat("the capture, kept until the refund", payments(id).getFirst().getString("status"), is("CAPTURED"));

        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        JsonObject cancelled = awaitStatus(customer, id, "CANCELLED");
        List<JsonObject> payments = payments(id);
        System.out.printf("[%s] cancel of a pending order with a late capture: captures %d, payment %s, refunded %d of %d%n",
                kind(), payments.size(), payments.getFirst().getString("status"),
                payments.getFirst().getJsonNumber("refundedMinor").longValue(),
                payments.getFirst().getJsonNumber("amountMinor").longValue());
        assertThat("payments", payments, hasSize(1));
        assertThat("the payment's status", payments.getFirst().getString("status"), is("REFUNDED"));
        assertThat("cancelled's refundId", cancelled.getString("refundId"), notNullValue());
    }

    @Test
    void cancellingAPendingOrderWhosePaymentIsDeclinedEndsCancelledWithoutRefund() {
        Services.Customer customer = services.signUp("Declined late");
        String id = placePending(customer, TestProxy.Mode.RESET, body("CONSULTING-DAY", 10), key());
        assertThat("a cancel while payment is down", cancel(customer, id, key()).status(), is(202));
        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        JsonObject cancelled = awaitStatus(customer, id, "CANCELLED");
        assertThat("a declined order has no refund", cancelled.containsKey("refundId"), is(false));
        assertThat("the payment's status", payments(id).getFirst().getString("status"), is("DECLINED"));
    }

    // ---- headers on the wire ----------------------------------------------------------------------------

    @Test
    void everyOutboundCallCarriesTheTraceAndIdentityHeaders() {
        Services.Customer customer = services.signUp("Traced");
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String requestId = UUID.randomUUID().toString();
        String[] inbound = {
            "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01",
            "tracestate", "meshshop=t61rcWkgMzE",
            "x-b3-traceid", traceId,
            "x-b3-spanid", "a3ce929d0e0e4736",
            "x-b3-parentspanid", "00f067aa0ba902b7",
            "x-b3-sampled", "1",
            "b3", traceId + "-a3ce929d0e0e4736-1-00f067aa0ba902b7",
            "x-request-id", requestId,
            "baggage", "tenant=meshshop,cart=42",
            "authorization", "Bearer " + customer.token(),
            "end-user", "ada@example.com"};
        Answer placed = send("POST", ORDERS, body("MESH-MUG", 1), Stream.concat(Stream.of("Idempotency-Key", key()),
                Stream.of(inbound)).toArray(String[]::new));
        assertThat(placed.raw().body(), placed.status(), is(201));
        String id = placed.json().getString("id");

        TestProxy.Seen atUser = only(services.userProxy.seenWith("x-request-id", requestId));
        TestProxy.Seen atPayment = only(services.paymentProxy.seenWith("x-request-id", requestId));
        System.out.printf("[%s] order %s across the services:%n  client -> order  POST /api/orders%n", kind(), id);
        for (int i = 0; i < inbound.length; i += 2) {
            System.out.printf("      %-18s %s%n", inbound[i], inbound[i + 1]);
        }
        for (TestProxy.Seen seen : List.of(atUser, atPayment)) {
            System.out.printf("  order -> %s  %s %s%n", seen == atUser ? "user   " : "payment", seen.method(), seen.path());
            for (int i = 0; i < inbound.length; i += 2) {
                System.out.printf("      %-18s %s%n", inbound[i], seen.header(inbound[i]));
            }
            if (seen == atPayment) {
                System.out.printf("      %-18s %s%n", "idempotency-key", seen.header("idempotency-key"));
            }
        }
        for (TestProxy.Seen seen : List.of(atUser, atPayment)) {
            assertThat("the trace id in traceparent", seen.header("traceparent").split("-")[1], is(traceId));
            for (String name : List.of("x-request-id", "tracestate")) {
                assertThat(name, seen.header(name), is(header(inbound, name)));
            }
            // W3C only: Envoy (Istio's OpenTelemetry provider) reads traceparent alone, and a B3 header copied
            // from the request in would name a stale parent that user and payment adopted.
            for (String name : List.of("b3", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled",
                    "x-b3-flags")) {
                assertThat(name + " is not forwarded", seen.header(name), nullValue());
            }
            // A client's identity claim is not ours to pass on: only the verified token travels.
            assertThat("end-user is not forwarded", seen.header("end-user"), nullValue());
            // The W3C baggage propagator writes the same entries back, in its own order.
            assertThat("the baggage entries",
                    Set.of(seen.header("baggage").split(",")), is(Set.of(header(inbound, "baggage").split(","))));
        }
        assertThat("the user asked about", atUser.path(), is("/api/users/" + customer.id()));
        assertThat("user checks the customer's own token", atUser.header("authorization"),
                is("Bearer " + customer.token()));
        assertThat("payment never gets the customer's token", atPayment.header("authorization"), nullValue());
        assertThat("atPayment's idempotency-key header",
                atPayment.header("idempotency-key"), is("order-" + id + "-charge"));
    }

    @Test
    void recoveryCallsStartFreshWithoutInboundHeaders() {
        Services.Customer customer = services.signUp("Fresh");
        String requestId = UUID.randomUUID().toString();
        String id = placePending(customer, TestProxy.Mode.RESET, body("MESH-MUG", 1), key(), "x-request-id", requestId);
        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        awaitStatus(customer, id, "PAID");
        List<TestProxy.Seen> charges = services.paymentProxy.seenWith("idempotency-key", "order-" + id + "-charge");
        TestProxy.Seen last = charges.getLast();
        assertThat("a recovery call's x-request-id", last.header("x-request-id"), nullValue());
        assertThat("a recovery call's authorization", last.header("authorization"), nullValue());
    }

    // ---- customers: who may do what ---------------------------------------------------------------------

    @Test
    void everyOrderRouteNeedsAValidBearerTokenAndTheCatalogueDoesNot() throws Exception {
        Services.Customer customer = services.signUp("Anonymous");
        Services.Customer other = services.signUp("Other");
        String someOrder = UUID.randomUUID().toString();
        int calls = services.userProxy.seen().size() + services.paymentProxy.seen().size();
        assertThat("the catalogue without a token", get(PRODUCTS).status(), is(200));

        SignedJWT real = SignedJWT.parse(customer.token());
        String[] parts = customer.token().split("\\.");
        String otherPayload = other.token().split("\\.")[1];
        Map<String, String> forged = new LinkedHashMap<>();
        forged.put("garbage", "not-a-token");
        forged.put("alg none", new PlainJWT(real.getJWTClaimsSet()).serialize());
        forged.put("another customer's claims under this signature", parts[0] + "." + otherPayload + "." + parts[2]);
        forged.put("signature cut off", parts[0] + "." + parts[1] + ".");
        for (String[] route : List.of(new String[] {"POST", ORDERS}, new String[] {"GET", ORDERS},
                new String[] {"GET", ORDERS + "/" + someOrder}, new String[] {"POST", ORDERS + "/" + someOrder + "/cancel"})) {
            String body = route[0].equals("POST") && route[1].equals(ORDERS) ? body("MESH-MUG", 1) : null;
            Answer none = send(route[0], route[1], body, "Idempotency-Key", key());
            assertThat(route[0] + " " + route[1] + " without a token", none.status(), is(401));
            assertThat("none's problem type", none.problemType(), is("unauthenticated"));
            assertThat("none's WWW-Authenticate header",
                    none.header("WWW-Authenticate"), is("Bearer realm=\"meshshop\""));
            Answer basic = send(route[0], route[1], body, "Idempotency-Key", key(), "Authorization", "Basic YTpi");
            assertThat(route[0] + " " + route[1] + " with Basic", basic.status(), is(401));
            forged.forEach((name, token) -> {
                Answer answer = send(route[0], route[1], body, "Idempotency-Key", key(), "Authorization", "Bearer " + token);
                assertThat(route[0] + " " + route[1] + " with " + name, answer.status(), is(401));
                assertThat("answer's WWW-Authenticate header",
                        answer.header("WWW-Authenticate"), containsString("error=\"invalid_token\""));
                assertThat("answer's body", answer.raw().body(), not(containsString(token)));
            });
        }
        assertThat("nothing was stored", ordersOf(customer), hasSize(0));
        assertThat("no call left order", services.userProxy.seen().size() + services.paymentProxy.seen().size(), is(calls));
    }

    @Test
    void anotherCustomersOrderAnswersAsAnUnknownOneAndCannotBeCancelled() {
        Services.Customer customer = services.signUp("Owner");
        Services.Customer snoop = services.signUp("Snoop");
        JsonObject order = place(customer, body("ENVOY-HOODIE", 1), key()).json();
        String id = order.getString("id");

        Answer theirs = get(snoop, ORDERS + "/" + id);
        String unknownId = UUID.randomUUID().toString();
        Answer unknown = get(snoop, ORDERS + "/" + unknownId);
        assertThat("status of " + theirs, theirs.status(), is(404));
        assertThat("exactly as an unknown id, but for the id", theirs.raw().body().replace(id, unknownId),
                is(unknown.raw().body()));
        Answer cancel = cancel(snoop, id, key());
        assertThat("status of " + cancel, cancel.status(), is(404));
        assertThat("cancel's problem type", cancel.problemType(), is("not-found"));
        assertThat("the snoop's list", ordersOf(snoop), hasSize(0));

        assertThat("still the owner's, still paid", get(customer, ORDERS + "/" + id).json(), is(order));
        assertThat("no refund", payments(id).getFirst().getString("status"), is("CAPTURED"));
        assertThat("refunds sent to payment",
                services.paymentProxy.seen("POST", "/api/payments/" + order.getString("paymentId") + "/refunds"),
                hasSize(0));
    }

    @Test
    void idempotencyKeysAreEachCustomersOwn() {
        Services.Customer first = services.signUp("First");
        Services.Customer second = services.signUp("Second");
        String key = key();
        String body = body("MTLS-STICKERS", 2);
        Answer a = place(first, body, key);
        Answer b = place(second, body, key);
        assertThat(a.raw().body(), a.status(), is(201));
        assertThat(b.raw().body(), b.status(), is(201));
        assertThat("the second customer's key is not the first's", b.header("Idempotent-Replayed"), nullValue());
        assertThat("b's id", b.json().getString("id"), not(a.json().getString("id")));
        assertThat("b's userId", b.json().getString("userId"), is(second.id()));
        assertThat("the first customer's orders",
                ordersOf(first).stream().map(o -> o.getString("id")).toList(), is(List.of(a.json().getString("id"))));
        assertThat("the second customer's orders",
                ordersOf(second).stream().map(o -> o.getString("id")).toList(), is(List.of(b.json().getString("id"))));

        // Cancel keys too: the same key cancels each customer's own order.
        String cancelKey = key();
        assertThat("the first customer's cancel", cancel(first, a.json().getString("id"), cancelKey).status(), is(200));
        assertThat("the second customer's cancel, same key", cancel(second, b.json().getString("id"), cancelKey).status(),
                is(200));
    }

    // ---- bad input ------------------------------------------------------------------------------------

    static Stream<Arguments> badBodies() {
        String line = "{\"sku\":\"MESH-MUG\",\"quantity\":1}";
        String lines51 = Stream.generate(() -> line).limit(51).collect(Collectors.joining(","));
        return Stream.of(
                Arguments.of("malformed JSON", "{\"items\":", "malformed-json"),
                Arguments.of("not an object", "[1,2]", "malformed-json"),
                Arguments.of("empty body", "", "malformed-json"),
                Arguments.of("duplicate keys", "{\"items\":[" + line + "],\"items\":[" + line + "]}", "malformed-json"),
                Arguments.of("deep nesting", "{\"items\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "malformed-json"),
                Arguments.of("missing fields", "{}", "validation"),
                Arguments.of("null fields", "{\"items\":null}", "validation"),
                Arguments.of("a userId: the buyer is the token's", "{\"userId\":\"" + UUID.randomUUID() + "\",\"items\":["
                        + line + "]}", "validation"),
                Arguments.of("items not an array", "{\"items\":{}}", "validation"),
                Arguments.of("no lines", "{\"items\":[]}", "validation"),
                Arguments.of("51 lines", "{\"items\":[" + lines51 + "]}", "validation"),
                Arguments.of("line not an object", "{\"items\":[\"MESH-MUG\"]}", "validation"),
                Arguments.of("quantity 0", item("\"MESH-MUG\"", "0"), "validation"),
                Arguments.of("quantity 101", item("\"MESH-MUG\"", "101"), "validation"),
                Arguments.of("quantity negative", item("\"MESH-MUG\"", "-1"), "validation"),
                Arguments.of("quantity fraction", item("\"MESH-MUG\"", "1.5"), "validation"),
                Arguments.of("quantity string", item("\"MESH-MUG\"", "\"2\""), "validation"),
                Arguments.of("quantity huge", item("\"MESH-MUG\"", "1e999999999"), "validation"),
                Arguments.of("sku blank", item("\"  \"", "1"), "validation"),
                Arguments.of("sku lower case", item("\"mesh-mug\"", "1"), "validation"),
                Arguments.of("sku SQL", item("\"X'; DROP TABLE orders;--\"", "1"), "validation"),
                Arguments.of("sku too long", item("\"" + "A".repeat(41) + "\"", "1"), "validation"),
                Arguments.of("client price", "{\"items\":[{\"sku\":\"MESH-MUG\",\"quantity\":1,\"priceMinor\":1}]}", "validation"),
                Arguments.of("unknown field", "{\"items\":[" + line + "],\"totalMinor\":1}", "validation"));
    }

    private static String item(String sku, String quantity) {
        return "{\"items\":[{\"sku\":" + sku + ",\"quantity\":" + quantity + "}]}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesAreProblemsAndCallNobody(String name, String body, String type) {
        int calls = services.userProxy.seen().size() + services.paymentProxy.seen().size();
        Answer answer = place(shopper(), body, key());
        assertThat("status of " + answer, answer.status(), is(400));
        assertThat("answer's Content-Type", answer.contentType(), is("application/problem+json"));
        assertThat("answer's problem type", answer.problemType(), is(type));
        assertThat("answer's body", answer.raw().body(), not(containsString("Exception")));
        assertThat("services's size",
                services.userProxy.seen().size() + services.paymentProxy.seen().size(), is(calls));
    }

    @Test
    void validationListsEveryFieldError() {
        Answer answer = place(shopper(), "{\"userId\":\"x\",\"items\":[{\"sku\":\"\",\"quantity\":0,\"colour\":\"red\"}],\"extra\":1}",
                key());
        assertThat(answer.raw().body(), answer.json().getJsonArray("errors"), hasSize(5));
    }

    @Test
    void theIdempotencyKeyIsRequiredAndMustBeWellFormed() {
        String body = body("MESH-MUG", 1);
        Answer missing = send("POST", ORDERS, body, shopper().bearer());
        assertThat("status of " + missing, missing.status(), is(400));
        assertThat("missing's problem type", missing.problemType(), is("idempotency-key-required"));
        for (String key : List.of("", "\"\"", "k".repeat(256), "\"unterminated", "has space")) {
            Answer answer = place(shopper(), body, key);
            assertThat("key <" + key + ">", answer.status(), is(400));
            assertThat("answer's problem type", answer.problemType(), is("invalid-idempotency-key"));
        }
    }

    @Test
    void wrongContentTypeIs415AndOversizedBodyIs413() {
        assertThat("text/plain", raw(ORDERS, "text/plain", "{}".getBytes()).statusCode(), is(415));
        assertThat("no Content-Type", raw(ORDERS, null, "{}".getBytes()).statusCode(), is(415));
        // Helidon answers an announced oversized body before any handler runs, so before the token is read.
        HttpCalls.RawResponse tooLarge = HttpCalls.oversizedPost(base, ORDERS);
        assertThat("status of " + tooLarge, tooLarge.status(), is(413));
        assertThat("tooLarge's Content-Type", tooLarge.contentType(), is("application/problem+json"));
    }

    @Test
    void badIdsAndQueriesAreProblems() {
        Services.Customer customer = shopper();
        for (String bad : List.of("abc", "1-2-3-4-5", "%27%20OR%201%3D1")) {
            assertThat(bad, get(customer, ORDERS + "/" + bad).status(), is(400));
            assertThat(bad, cancel(customer, bad, key()).status(), is(400));
        }
        assertThat("an unknown order", get(customer, ORDERS + "/" + UUID.randomUUID()).status(), is(404));
        assertThat("the former ?userId=", get(customer, ORDERS + "?userId=" + customer.id()).status(), is(400));
        assertThat("SQL in ?userId=",
                get(customer, ORDERS + "?userId=" + URLEncoder.encode("' OR '1'='1", StandardCharsets.UTF_8))
                .status(), is(400));
        Answer patch = send("PATCH", ORDERS, "{}");
        assertThat("status of " + patch, patch.status(), is(405));
        assertThat("patch's Allow header", patch.header("Allow"), is("GET, POST"));
        assertThat("GET of a cancel", send("GET", ORDERS + "/" + UUID.randomUUID() + "/cancel", null).status(), is(405));
        assertThat("an unknown path", get("/api/nowhere").contentType(), is("application/problem+json"));
    }

    // ---- observability and the contract document ------------------------------------------------------

    @Test
    void healthAndBusinessMetricsAreExposed() {
        assertThat("liveness", get("/observe/health/live").status(), is(200));
        assertThat("readiness", get("/observe/health/ready").status(), is(200));
        Services.Customer customer = services.signUp("Metric");
        place(customer, body("MESH-MUG", 1), key());
        Await.until("the first recovery pass to publish meshshop_orders_pending", WAIT,
                () -> metrics().contains("meshshop_orders_pending"));
        String metrics = metrics();
        assertThat("paid orders are counted", metrics,
                containsString("meshshop_orders_total{scope=\"application\",status=\"paid\",}"));
        assertThat("order's keys are counted as common's are", metrics,
                containsString("meshshop_idempotency_requests_total{outcome=\"executed\""));
        assertThat("metrics", metrics, containsString("meshshop_http_server_requests_seconds_bucket"));
        assertThat("RED metrics by route template", metrics, containsString("route=\"/api/orders\""));
    }

    @Test
    void everyDocumentedOperationAnswersAsDocumented() {
        Services.Customer customer = services.signUp("Doc");
        String id = place(customer, body("MESH-MUG", 1), key()).json().getString("id");
        OpenApiContract.assertEveryOperationSucceedsAsDocumented(base,
                Set.of("listProducts", "getProduct", "placeOrder", "listOrders", "getOrder", "cancelOrder"),
                operation -> {
                    String path = operation.path(Map.of("id", id, "sku", "MESH-MUG"));
                    String body = operation.operationId().equals("placeOrder") ? body("MESH-MUG", 1) : null;
                    return send(operation.method(), path, body, "Idempotency-Key", key(), "Authorization",
                            "Bearer " + customer.token());
                });
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private String kind() {
        return services.postgres ? "PostgreSQL" : "H2";
    }

    static String key() {
        return UUID.randomUUID().toString();
    }

    static String body(Object... skuAndQuantity) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < skuAndQuantity.length; i += 2) {
            items.append(i == 0 ? "" : ",").append("{\"sku\":\"").append(skuAndQuantity[i]).append("\",\"quantity\":")
                    .append(skuAndQuantity[i + 1]).append('}');
        }
        return "{\"items\":[" + items + "]}";
    }

    private static String header(String[] pairs, String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) {
                return pairs[i + 1];
            }
        }
        return null;
    }

    private static TestProxy.Seen only(List<TestProxy.Seen> seen) {
        assertThat("seen", seen, hasSize(1));
        return seen.getFirst();
    }

    /** A customer for tests that only need someone signed in; signed up once per test class. */
    private Services.Customer shopper() {
        if (shopper == null) {
            shopper = services.signUp("Shopper");
        }
        return shopper;
    }

    Answer place(Services.Customer customer, String body, String key, String... headers) {
        String[] all = Stream.of(Stream.of("Idempotency-Key", key, "Authorization", "Bearer " + customer.token()),
                Stream.of(headers)).flatMap(h -> h).toArray(String[]::new);
        return send("POST", ORDERS, body, all);
    }

    /** Places an order while payment fails in {@code failure}'s way: 202, PENDING, Location; answers its id. */
    String placePending(Services.Customer customer, TestProxy.Mode failure, String body, String key, String... headers) {
        services.paymentProxy.mode(failure);
        Answer placed = place(customer, body, key, headers);
        assertThat(placed.raw().body(), placed.status(), is(202));
        String id = placed.json().getString("id");
        assertThat("placed's status", placed.json().getString("status"), is("PENDING"));
        assertThat("placed's Location header", placed.header("Location"), is(ORDERS + "/" + id));
        return id;
    }

    Answer cancel(Services.Customer customer, String id, String key) {
        return send("POST", ORDERS + "/" + id + "/cancel", null, "Idempotency-Key", key, "Authorization",
                "Bearer " + customer.token());
    }

    List<JsonObject> ordersOf(Services.Customer customer) {
        Answer list = get(customer, ORDERS);
        assertThat(list.raw().body(), list.status(), is(200));
        return list.json().getJsonArray("items").getValuesAs(JsonObject.class);
    }

    /** Asks payment directly, not through the proxy, so these reads never show up as order's calls. */
    List<JsonObject> payments(String orderId) {
        Answer answer = Answer.of(HttpCalls.send("GET", services.paymentUrl() + "/api/payments?orderId=" + orderId, null));
        assertThat("status of " + answer, answer.status(), is(200));
        return answer.json().getJsonArray("items").getValuesAs(JsonObject.class);
    }

    /** Waits until recovery (every 0.1 s in these tests) has settled the order as {@code status}. */
    JsonObject awaitStatus(Services.Customer customer, String orderId, String status) {
        Await.until("order " + orderId + " to be " + status, WAIT,
                () -> status.equals(get(customer, ORDERS + "/" + orderId).json().getString("status")));
        return get(customer, ORDERS + "/" + orderId).json();
    }

    private String metrics() {
        return HttpCalls.send("GET", base + "/observe/metrics", null, "Accept", "text/plain").body();
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer get(Services.Customer customer, String path) {
        return send("GET", path, null, customer.bearer());
    }

    Answer send(String method, String path, String json, String... headers) {
        return Answer.of(HttpCalls.send(method, base + path, json, headers));
    }

    /** A signed-in customer's POST with raw bytes: the body's type is checked after the token. */
    private HttpResponse<String> raw(String path, String contentType, byte[] body) {
        return HttpCalls.sendBytes("POST", base + path, contentType, body, "Idempotency-Key", key(), "Authorization",
                "Bearer " + shopper().token());
    }
}
