package io.meshshop.order;

import io.meshshop.common.testing.Answer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.meshshop.common.testing.HttpCalls;

import io.helidon.webserver.WebServer;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

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

    private final String base;
    private final Services services;

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
        assertThat(list.status(), is(200));
        JsonArray items = list.json().getJsonArray("items");
        assertThat(items.size() >= 5, is(true));
        Set<String> currencies = items.stream().map(v -> v.asJsonObject().getString("currency")).collect(Collectors.toSet());
        assertThat(currencies, is(Set.of("EUR")));
        JsonObject mug = get(PRODUCTS + "/MESH-MUG").json();
        assertThat(mug.getJsonNumber("priceMinor").longValue(), is(1250L));
        assertThat(mug.getString("name"), is("Service mesh mug"));
        assertThat(get(PRODUCTS + "/NO-SUCH-THING").status(), is(404));
        assertThat(get(PRODUCTS + "/mesh-mug").status(), is(400));
        assertThat(get(PRODUCTS + "/%27%20OR%201%3D1").status(), is(400));
        assertThat(send("DELETE", PRODUCTS + "/MESH-MUG", null).status(), is(405));
    }

    // ---- placing orders -----------------------------------------------------------------------------

    @Test
    void placesAnOrderPricedFromTheCatalogueAndPaysIt() {
        String userId = services.registerUser("Happy");
        Answer placed = place(body(userId, "MESH-MUG", 2, "PILOT-CAP", 1), key());
        assertThat(placed.raw().body(), placed.status(), is(201));
        JsonObject order = placed.json();
        assertThat(order.getString("status"), is("PAID"));
        assertThat(order.getJsonNumber("totalMinor").longValue(), is(2 * 1250L + 1800L));
        assertThat(order.getString("currency"), is("EUR"));
        assertThat(order.getJsonArray("items").getJsonObject(0).getJsonNumber("lineTotalMinor").longValue(), is(2500L));
        assertThat(placed.header("Location"), is(ORDERS + "/" + order.getString("id")));
        assertThat(placed.header("Idempotent-Replayed"), nullValue());

        List<JsonObject> payments = payments(order.getString("id"));
        assertThat(payments, hasSize(1));
        assertThat(payments.getFirst().getString("id"), is(order.getString("paymentId")));
        assertThat(payments.getFirst().getString("status"), is("CAPTURED"));
        assertThat(payments.getFirst().getJsonNumber("amountMinor").longValue(), is(4300L));
        assertThat(payments.getFirst().getString("userId"), is(userId));

        assertThat(get(placed.header("Location")).json(), is(order));
        JsonArray mine = get(ORDERS + "?userId=" + userId).json().getJsonArray("items");
        assertThat(mine, hasSize(1));
        assertThat(mine.getJsonObject(0), is(order));
    }

    @Test
    void aRepeatReturnsTheSameOrderAndAnotherBodyUnderTheKeyIs422() {
        String userId = services.registerUser("Replay");
        String key = key();
        String body = body(userId, "SIDECAR-TEE", 1);
        Answer first = place(body, key);
        Answer again = place(body, key);
        Answer quoted = place(body, "\"" + key + "\"");
        assertThat(first.status(), is(201));
        for (Answer replay : List.of(again, quoted)) {
            assertThat(replay.status(), is(201));
            assertThat(replay.json(), is(first.json()));
            assertThat(replay.header("Location"), is(first.header("Location")));
            assertThat(replay.header("Idempotent-Replayed"), is("true"));
        }
        Answer other = place(body(userId, "SIDECAR-TEE", 2), key);
        assertThat(other.status(), is(422));
        assertThat(other.problemType(), is("idempotency-key-reused"));
        assertThat(ordersOf(userId), hasSize(1));
        assertThat(payments(first.json().getString("id")), hasSize(1));
    }

    @Test
    void twentyConcurrentDuplicatesCreateOneOrderAndOneCapture() {
        String userId = services.registerUser("Storm");
        String key = key();
        String body = body(userId, "ENVOY-HOODIE", 1);
        List<Callable<Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(() -> Answer.of(HttpCalls.send("POST", base + ORDERS, body, "Idempotency-Key", key)));
        }
        List<Answer> answers = HttpCalls.concurrently(calls);
        Map<Integer, Long> byStatus = answers.stream()
                .collect(Collectors.groupingBy(Answer::status, TreeMap::new, Collectors.counting()));
        assertThat(answers.stream().map(Answer::status).toList(), everyItem(isOneOf(201, 409)));
        Set<String> ids = answers.stream().filter(a -> a.status() == 201).map(a -> a.json().getString("id"))
                .collect(Collectors.toSet());
        assertThat(ids, hasSize(1));
        String orderId = ids.iterator().next();
        List<JsonObject> payments = payments(orderId);
        System.out.printf("[%s] 20 concurrent duplicates: answers %s, orders %d, payments %d, charges seen by payment %d%n",
                kind(), byStatus, ordersOf(userId).size(), payments.size(),
                services.paymentProxy.seenWith("idempotency-key", "order-" + orderId + "-charge").size());
        assertThat(ordersOf(userId), hasSize(1));
        assertThat(payments, hasSize(1));
        assertThat(payments.getFirst().getString("status"), is("CAPTURED"));
    }

    @Test
    void aDeclineIsAnOrderInStatePaymentDeclinedThatCannotBeCancelled() {
        String userId = services.registerUser("Declined");
        // 9 x 120000 is above payment's default decline limit of 1000000 minor units.
        Answer placed = place(body(userId, "CONSULTING-DAY", 9), key());
        assertThat(placed.raw().body(), placed.status(), is(201));
        JsonObject order = placed.json();
        assertThat(order.getString("status"), is("PAYMENT_DECLINED"));
        List<JsonObject> payments = payments(order.getString("id"));
        assertThat(payments, hasSize(1));
        assertThat(payments.getFirst().getString("status"), is("DECLINED"));
        assertThat(order.getString("paymentId"), is(payments.getFirst().getString("id")));
        Answer cancel = cancel(order.getString("id"), key());
        assertThat(cancel.status(), is(409));
        assertThat(cancel.problemType(), is("order-not-cancellable"));
    }

    @Test
    void anUnknownUserIs422AndNothingIsStored() {
        String nobody = UUID.randomUUID().toString();
        int paymentCalls = services.paymentProxy.seen().size();
        Answer answer = place(body(nobody, "MESH-MUG", 1), key());
        assertThat(answer.status(), is(422));
        assertThat(answer.problemType(), is("unknown-user"));
        assertThat(ordersOf(nobody), hasSize(0));
        assertThat(services.paymentProxy.seen().size(), is(paymentCalls));
    }

    @Test
    void anUnknownProductIs422NamingTheLineAndNothingIsStored() {
        String userId = services.registerUser("Unknown SKU");
        Answer answer = place(body(userId, "MESH-MUG", 1, "NOT-FOR-SALE", 2), key());
        assertThat(answer.status(), is(422));
        assertThat(answer.problemType(), is("unknown-product"));
        assertThat(answer.json().getJsonArray("errors").getJsonObject(0).getString("field"), is("items[1].sku"));
        assertThat(ordersOf(userId), hasSize(0));
    }

    @Test
    void userDownOrFailingIs503WithRetryAfterAndNothingIsStored() {
        String userId = services.registerUser("Unlucky");
        for (TestProxy.Mode failure : List.of(TestProxy.Mode.RESET, TestProxy.Mode.FAIL_503)) {
            services.userProxy.mode(failure);
            int paymentCalls = services.paymentProxy.seen().size();
            Answer answer = place(body(userId, "MESH-MUG", 1), key());
            assertThat(failure.name(), answer.status(), is(503));
            assertThat(answer.problemType(), is("dependency-unavailable"));
            assertThat(answer.header("Retry-After"), is("2"));
            assertThat(services.paymentProxy.seen().size(), is(paymentCalls));
        }
        services.userProxy.mode(TestProxy.Mode.FORWARD);
        assertThat(ordersOf(userId), hasSize(0));
    }

    @Test
    void paymentDownLeavesTheOrderPendingUntilRecoveryChargesItOnce() {
        String userId = services.registerUser("Patient");
        String key = key();
        String body = body(userId, "PILOT-CAP", 2);
        String id = placePending(TestProxy.Mode.RESET, body, key);
        assertThat(payments(id), hasSize(0));
        Answer replay = place(body, key);
        assertThat(replay.status(), is(202));
        assertThat(replay.json().getString("id"), is(id));

        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        awaitStatus(id, "PAID");
        List<JsonObject> payments = payments(id);
        int sends = services.paymentProxy.seenWith("idempotency-key", "order-" + id + "-charge").size();
        System.out.printf("[%s] payment down then back: charge sent %d times (same key), captures %d, order %s%n",
                kind(), sends, payments.size(), get(ORDERS + "/" + id).json().getString("status"));
        assertThat(payments, hasSize(1));
        assertThat(payments.getFirst().getString("status"), is("CAPTURED"));
        assertThat(sends, greaterThanOrEqualTo(2));
        assertThat(place(body, key).status(), is(201));
    }

    @Test
    void aCaptureWhoseResponseIsLostIsSettledAsPaidWithOneCapture() {
        String userId = services.registerUser("Lost");
        String id = placePending(TestProxy.Mode.DROP_RESPONSE, body(userId, "MTLS-STICKERS", 3), key());
        assertThat("payment captured, order does not know yet", payments(id), hasSize(1));

        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        JsonObject paid = awaitStatus(id, "PAID");
        List<JsonObject> payments = payments(id);
        int sends = services.paymentProxy.seenWith("idempotency-key", "order-" + id + "-charge").size();
        System.out.printf("[%s] response lost: charge sent %d times (same key), captures %d, order %s%n",
                kind(), sends, payments.size(), paid.getString("status"));
        assertThat(payments, hasSize(1));
        assertThat(paid.getString("paymentId"), is(payments.getFirst().getString("id")));
        assertThat(sends, greaterThanOrEqualTo(2));
    }

    // ---- cancelling -----------------------------------------------------------------------------------

    @Test
    void cancellingAPaidOrderRefundsItInFullAndRepeatsAreHarmless() {
        String userId = services.registerUser("Regret");
        JsonObject order = place(body(userId, "ENVOY-HOODIE", 2), key()).json();
        String id = order.getString("id");
        String cancelKey = key();
        Answer cancelled = cancel(id, cancelKey);
        assertThat(cancelled.raw().body(), cancelled.status(), is(200));
        assertThat(cancelled.json().getString("status"), is("CANCELLED"));
        assertThat(cancelled.json().getString("refundId"), notNullValue());

        JsonObject payment = payments(id).getFirst();
        assertThat(payment.getString("status"), is("REFUNDED"));
        assertThat(payment.getJsonNumber("refundedMinor").longValue(), is(order.getJsonNumber("totalMinor").longValue()));

        Answer again = cancel(id, cancelKey);
        Answer otherKey = cancel(id, key());
        assertThat(again.status(), is(200));
        assertThat(again.json(), is(cancelled.json()));
        assertThat(otherKey.json(), is(cancelled.json()));
        assertThat(services.paymentProxy.seen("POST", "/api/payments/" + payment.getString("id") + "/refunds").size(), is(1));

        String otherOrder = place(body(userId, "MESH-MUG", 1), key()).json().getString("id");
        Answer reused = cancel(otherOrder, cancelKey);
        assertThat(reused.status(), is(422));
        assertThat(reused.problemType(), is("idempotency-key-reused"));
        assertThat(get(ORDERS + "/" + otherOrder).json().getString("status"), is("PAID"));
        assertThat(cancel(UUID.randomUUID().toString(), key()).status(), is(404));
        assertThat(send("POST", ORDERS + "/" + id + "/cancel", null).status(), is(400));
    }

    @Test
    void cancellingAPendingOrderRefundsALateCaptureNeverKeepsIt() {
        String userId = services.registerUser("Late");
        // The charge is captured but its answer lost: order cannot know it has been paid.
        String id = placePending(TestProxy.Mode.DROP_RESPONSE, body(userId, "SIDECAR-TEE", 1), key());
        services.paymentProxy.mode(TestProxy.Mode.RESET);

        Answer cancelling = cancel(id, key());
        assertThat(cancelling.status(), is(202));
        assertThat(cancelling.json().getString("status"), is("CANCELLING"));
        assertThat(payments(id).getFirst().getString("status"), is("CAPTURED"));

        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        JsonObject cancelled = awaitStatus(id, "CANCELLED");
        List<JsonObject> payments = payments(id);
        System.out.printf("[%s] cancel of a pending order with a late capture: captures %d, payment %s, refunded %d of %d%n",
                kind(), payments.size(), payments.getFirst().getString("status"),
                payments.getFirst().getJsonNumber("refundedMinor").longValue(),
                payments.getFirst().getJsonNumber("amountMinor").longValue());
        assertThat(payments, hasSize(1));
        assertThat(payments.getFirst().getString("status"), is("REFUNDED"));
        assertThat(cancelled.getString("refundId"), notNullValue());
    }

    @Test
    void cancellingAPendingOrderWhosePaymentIsDeclinedEndsCancelledWithoutRefund() {
        String userId = services.registerUser("Declined late");
        String id = placePending(TestProxy.Mode.RESET, body(userId, "CONSULTING-DAY", 10), key());
        assertThat(cancel(id, key()).status(), is(202));
        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        JsonObject cancelled = awaitStatus(id, "CANCELLED");
        assertThat(cancelled.containsKey("refundId"), is(false));
        assertThat(payments(id).getFirst().getString("status"), is("DECLINED"));
    }

    // ---- headers on the wire ----------------------------------------------------------------------------

    @Test
    void everyOutboundCallCarriesTheTraceAndIdentityHeaders() {
        String userId = services.registerUser("Traced");
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
            "authorization", "Bearer test-token-123",
            "end-user", "ada@example.com"};
        Answer placed = place(body(userId, "MESH-MUG", 1), key(), inbound);
        assertThat(placed.status(), is(201));
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
            assertThat(seen.header("traceparent").split("-")[1], is(traceId));
            assertThat(seen.header("x-b3-traceid"), is(traceId));
            for (String name : List.of("x-request-id", "b3", "authorization", "end-user", "tracestate")) {
                assertThat(name, seen.header(name), is(header(inbound, name)));
            }
            // The W3C baggage propagator writes the same entries back, in its own order.
            assertThat(Set.of(seen.header("baggage").split(",")), is(Set.of(header(inbound, "baggage").split(","))));
        }
        assertThat(atUser.path(), is("/api/users/" + userId));
        assertThat(atPayment.header("idempotency-key"), is("order-" + id + "-charge"));
    }

    @Test
    void recoveryCallsStartFreshWithoutInboundHeaders() {
        String userId = services.registerUser("Fresh");
        String requestId = UUID.randomUUID().toString();
        String id = placePending(TestProxy.Mode.RESET, body(userId, "MESH-MUG", 1), key(), "x-request-id", requestId,
                "authorization", "Bearer secret");
        services.paymentProxy.mode(TestProxy.Mode.FORWARD);
        awaitStatus(id, "PAID");
        List<TestProxy.Seen> charges = services.paymentProxy.seenWith("idempotency-key", "order-" + id + "-charge");
        TestProxy.Seen last = charges.getLast();
        assertThat(last.header("x-request-id"), nullValue());
        assertThat(last.header("authorization"), nullValue());
    }

    // ---- bad input ------------------------------------------------------------------------------------

    static Stream<Arguments> badBodies() {
        String user = UUID.randomUUID().toString();
        String line = "{\"sku\":\"MESH-MUG\",\"quantity\":1}";
        String lines51 = Stream.generate(() -> line).limit(51).collect(Collectors.joining(","));
        return Stream.of(
                Arguments.of("malformed JSON", "{\"userId\":", "malformed-json"),
                Arguments.of("not an object", "[1,2]", "malformed-json"),
                Arguments.of("empty body", "", "malformed-json"),
                Arguments.of("duplicate keys", "{\"userId\":\"" + user + "\",\"userId\":\"" + user + "\",\"items\":[" + line + "]}", "malformed-json"),
                Arguments.of("deep nesting", "{\"items\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "malformed-json"),
                Arguments.of("missing fields", "{}", "validation"),
                Arguments.of("null fields", "{\"userId\":null,\"items\":null}", "validation"),
                Arguments.of("userId not a UUID", "{\"userId\":\"1-2-3-4-5\",\"items\":[" + line + "]}", "validation"),
                Arguments.of("userId wrong type", "{\"userId\":42,\"items\":[" + line + "]}", "validation"),
                Arguments.of("items not an array", "{\"userId\":\"" + user + "\",\"items\":{}}", "validation"),
                Arguments.of("no lines", "{\"userId\":\"" + user + "\",\"items\":[]}", "validation"),
                Arguments.of("51 lines", "{\"userId\":\"" + user + "\",\"items\":[" + lines51 + "]}", "validation"),
                Arguments.of("line not an object", "{\"userId\":\"" + user + "\",\"items\":[\"MESH-MUG\"]}", "validation"),
                Arguments.of("quantity 0", item(user, "\"MESH-MUG\"", "0"), "validation"),
                Arguments.of("quantity 101", item(user, "\"MESH-MUG\"", "101"), "validation"),
                Arguments.of("quantity negative", item(user, "\"MESH-MUG\"", "-1"), "validation"),
                Arguments.of("quantity fraction", item(user, "\"MESH-MUG\"", "1.5"), "validation"),
                Arguments.of("quantity string", item(user, "\"MESH-MUG\"", "\"2\""), "validation"),
                Arguments.of("quantity huge", item(user, "\"MESH-MUG\"", "1e999999999"), "validation"),
                Arguments.of("sku blank", item(user, "\"  \"", "1"), "validation"),
                Arguments.of("sku lower case", item(user, "\"mesh-mug\"", "1"), "validation"),
                Arguments.of("sku SQL", item(user, "\"X'; DROP TABLE orders;--\"", "1"), "validation"),
                Arguments.of("sku too long", item(user, "\"" + "A".repeat(41) + "\"", "1"), "validation"),
                Arguments.of("client price", "{\"userId\":\"" + user + "\",\"items\":[{\"sku\":\"MESH-MUG\",\"quantity\":1,\"priceMinor\":1}]}", "validation"),
                Arguments.of("unknown field", "{\"userId\":\"" + user + "\",\"items\":[" + line + "],\"totalMinor\":1}", "validation"));
    }

    private static String item(String user, String sku, String quantity) {
        return "{\"userId\":\"" + user + "\",\"items\":[{\"sku\":" + sku + ",\"quantity\":" + quantity + "}]}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesAreProblemsAndCallNobody(String name, String body, String type) {
        int calls = services.userProxy.seen().size() + services.paymentProxy.seen().size();
        Answer answer = place(body, key());
        assertThat(answer.status(), is(400));
        assertThat(answer.contentType(), is("application/problem+json"));
        assertThat(answer.problemType(), is(type));
        assertThat(answer.raw().body(), not(containsString("Exception")));
        assertThat(services.userProxy.seen().size() + services.paymentProxy.seen().size(), is(calls));
    }

    @Test
    void validationListsEveryFieldError() {
        Answer answer = place("{\"userId\":\"x\",\"items\":[{\"sku\":\"\",\"quantity\":0,\"colour\":\"red\"}],\"extra\":1}", key());
        assertThat(answer.json().getJsonArray("errors"), hasSize(5));
    }

    @Test
    void theIdempotencyKeyIsRequiredAndMustBeWellFormed() {
        String body = body(UUID.randomUUID().toString(), "MESH-MUG", 1);
        Answer missing = send("POST", ORDERS, body);
        assertThat(missing.status(), is(400));
        assertThat(missing.problemType(), is("idempotency-key-required"));
        for (String key : List.of("", "\"\"", "k".repeat(256), "\"unterminated", "has space")) {
            Answer answer = place(body, key);
            assertThat("key <" + key + ">", answer.status(), is(400));
            assertThat(answer.problemType(), is("invalid-idempotency-key"));
        }
    }

    @Test
    void wrongContentTypeIs415AndOversizedBodyIs413() {
        assertThat(raw(ORDERS, "text/plain", "{}".getBytes()).statusCode(), is(415));
        assertThat(raw(ORDERS, null, "{}".getBytes()).statusCode(), is(415));
        HttpCalls.RawResponse tooLarge = HttpCalls.oversizedPost(base, ORDERS);
        assertThat(tooLarge.status(), is(413));
        assertThat(tooLarge.contentType(), is("application/problem+json"));
    }

    @Test
    void badIdsAndQueriesAreProblems() {
        for (String bad : List.of("abc", "1-2-3-4-5", "%27%20OR%201%3D1")) {
            assertThat(bad, get(ORDERS + "/" + bad).status(), is(400));
            assertThat(bad, cancel(bad, key()).status(), is(400));
        }
        assertThat(get(ORDERS + "/" + UUID.randomUUID()).status(), is(404));
        assertThat(get(ORDERS).status(), is(400));
        assertThat(get(ORDERS + "?userId=nope").status(), is(400));
        assertThat(get(ORDERS + "?userId=" + java.net.URLEncoder.encode("' OR '1'='1", StandardCharsets.UTF_8)).status(), is(400));
        Answer patch = send("PATCH", ORDERS, "{}");
        assertThat(patch.status(), is(405));
        assertThat(patch.header("Allow"), is("GET, POST"));
        assertThat(send("GET", ORDERS + "/" + UUID.randomUUID() + "/cancel", null).status(), is(405));
        assertThat(get("/api/nowhere").contentType(), is("application/problem+json"));
    }

    // ---- observability and the contract document ------------------------------------------------------

    @Test
    void healthAndBusinessMetricsAreExposed() {
        assertThat(get("/observe/health/live").status(), is(200));
        assertThat(get("/observe/health/ready").status(), is(200));
        String userId = services.registerUser("Metric");
        place(body(userId, "MESH-MUG", 1), key());
        awaitTrue(() -> metrics().contains("meshshop_orders_pending"));
        String metrics = metrics();
        assertThat(metrics, containsString("meshshop_orders_total{scope=\"application\",status=\"paid\",}"));
        assertThat(metrics, containsString("meshshop_http_server_requests_seconds_bucket"));
        assertThat(metrics, containsString("route=\"/api/orders\""));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyDocumentedRouteIsServed() {
        HttpResponse<String> doc = HttpCalls.send("GET", base + "/openapi", null, "Accept", "application/yaml");
        assertThat(doc.statusCode(), is(200));
        Map<String, Object> openapi = new Yaml().load(doc.body());
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) openapi.get("paths");
        String userId = services.registerUser("Doc");
        String id = place(body(userId, "MESH-MUG", 1), key()).json().getString("id");
        Set<String> checked = new HashSet<>();
        paths.forEach((path, operations) -> operations.keySet().stream()
                .filter(method -> List.of("get", "post", "put", "delete", "patch").contains(method))
                .forEach(method -> {
                    String concrete = path.replace("{id}", id).replace("{sku}", "MESH-MUG");
                    Answer answer = send(method.toUpperCase(), concrete, method.equals("post") && !path.endsWith("cancel")
                            ? body(userId, "MESH-MUG", 1) : null, "Idempotency-Key", key());
                    assertThat(method + " " + path + " must be routed", answer.status(), not(isOneOf(404, 405)));
                    checked.add(method + " " + path);
                }));
        assertThat(checked, hasSize(6));
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private String kind() {
        return services.postgres ? "PostgreSQL" : "H2";
    }

    static String key() {
        return UUID.randomUUID().toString();
    }

    static String body(String userId, Object... skuAndQuantity) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < skuAndQuantity.length; i += 2) {
            items.append(i == 0 ? "" : ",").append("{\"sku\":\"").append(skuAndQuantity[i]).append("\",\"quantity\":")
                    .append(skuAndQuantity[i + 1]).append('}');
        }
        return "{\"userId\":\"" + userId + "\",\"items\":[" + items + "]}";
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
        assertThat(seen, hasSize(1));
        return seen.getFirst();
    }

    Answer place(String body, String key, String... headers) {
        String[] all = Stream.concat(Stream.of("Idempotency-Key", key), Stream.of(headers)).toArray(String[]::new);
        return send("POST", ORDERS, body, all);
    }

    /** Places an order while payment fails in {@code failure}'s way: 202, PENDING, Location; answers its id. */
    String placePending(TestProxy.Mode failure, String body, String key, String... headers) {
        services.paymentProxy.mode(failure);
        Answer placed = place(body, key, headers);
        assertThat(placed.raw().body(), placed.status(), is(202));
        String id = placed.json().getString("id");
        assertThat(placed.json().getString("status"), is("PENDING"));
        assertThat(placed.header("Location"), is(ORDERS + "/" + id));
        return id;
    }

    Answer cancel(String id, String key) {
        return send("POST", ORDERS + "/" + id + "/cancel", null, "Idempotency-Key", key);
    }

    List<JsonObject> ordersOf(String userId) {
        return get(ORDERS + "?userId=" + userId).json().getJsonArray("items").getValuesAs(JsonObject.class);
    }

    /** Asks payment directly, not through the proxy, so these reads never show up as order's calls. */
    List<JsonObject> payments(String orderId) {
        Answer answer = Answer.of(HttpCalls.send("GET", services.paymentUrl() + "/api/payments?orderId=" + orderId, null));
        assertThat(answer.status(), is(200));
        return answer.json().getJsonArray("items").getValuesAs(JsonObject.class);
    }

    JsonObject awaitStatus(String orderId, String status) {
        awaitTrue(() -> status.equals(get(ORDERS + "/" + orderId).json().getString("status")));
        return get(ORDERS + "/" + orderId).json();
    }

    static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 15 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private String metrics() {
        return HttpCalls.send("GET", base + "/observe/metrics", null, "Accept", "text/plain").body();
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer send(String method, String path, String json, String... headers) {
        return Answer.of(HttpCalls.send(method, base + path, json, headers));
    }

    private HttpResponse<String> raw(String path, String contentType, byte[] body) {
        return HttpCalls.sendBytes("POST", base + path, contentType, body, "Idempotency-Key", key());
    }
}
