package io.meshshop.payment;

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
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.HttpCalls;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * The payment API as a client sees it, over real HTTP against the server as {@link Main} builds it, with
 * the acquirer rule of the shipped application.yaml. Run once on H2 and once on PostgreSQL by the subclasses.
 */
abstract class PaymentApiContract {

    /** The test user the shipped configuration always declines. */
    static final String DECLINED_USER = "00000000-0000-4000-8000-000000000402";
    /** The shipped configuration declines amounts above this. */
    static final long DECLINE_ABOVE = 1_000_000L;

    private final String base;
    private final Config config;
    private final PaymentDatabase database;

    PaymentApiContract(WebServer server, Config config) {
        this.base = "http://localhost:" + server.port();
        this.config = config;
        this.database = new PaymentDatabase(config);
    }

    // ---- charges --------------------------------------------------------------------------------------

    @Test
    void chargeCapturesAndReadsBack() {
        String orderId = uuid();
        String userId = uuid();
        Answer created = charge(key(), orderId, userId, 1999, "EUR");
        assertThat(created.status(), is(201));
        JsonObject payment = created.json();
        assertThat(payment.getString("orderId"), is(orderId));
        assertThat(payment.getString("userId"), is(userId));
        assertThat(payment.getJsonNumber("amountMinor").longValueExact(), is(1999L));
        assertThat(payment.getString("currency"), is("EUR"));
        assertThat(payment.getString("status"), is("CAPTURED"));
        assertThat(payment.getJsonNumber("refundedMinor").longValueExact(), is(0L));
        assertThat(payment.getString("createdAt"), notNullValue());
        assertThat(payment.containsKey("declineReason"), is(false));
        assertThat(created.header("Location"), is("/api/payments/" + payment.getString("id")));
        assertThat(created.header("Idempotent-Replayed"), nullValue());

        Answer read = get(created.header("Location"));
        assertThat(read.status(), is(200));
        assertThat(read.json(), is(payment));

        Answer listed = get("/api/payments?orderId=" + orderId);
        assertThat(listed.status(), is(200));
        assertThat(listed.json().getJsonArray("items"), hasSize(1));
        assertThat(listed.json().getJsonArray("items").getJsonObject(0), is(payment));
        assertThat(get("/api/payments?orderId=" + uuid()).json().getJsonArray("items"), hasSize(0));
    }

    @Test
    void largestAmountAndZeroDecimalCurrenciesAreIntegers() {
        Answer yen = charge(key(), uuid(), uuid(), 5000, "JPY");
        assertThat(yen.status(), is(201));
        assertThat(yen.json().getString("currency"), is("JPY"));
        // 10^12 is a valid amount; the shipped acquirer declines it, which still records it exactly.
        Answer largest = charge(key(), uuid(), uuid(), 1_000_000_000_000L, "EUR");
        assertThat(largest.status(), is(402));
        String id = largest.json().getString("paymentId");
        assertThat(get("/api/payments/" + id).json().getJsonNumber("amountMinor").longValueExact(),
                is(1_000_000_000_000L));
    }

    @Test
    void declineIsRecordedAnsweredAs402AndReplayed() {
        String orderId = uuid();
        String key = key();
        Answer declined = charge(key, orderId, DECLINED_USER, 2500, "EUR");
        assertThat(declined.status(), is(402));
        assertThat(declined.contentType(), is("application/problem+json"));
        assertThat(declined.problemType(), is("payment-declined"));
        assertThat(declined.json().getString("declineReason"), is("user-declined"));
        String paymentId = declined.json().getString("paymentId");

        Answer replay = charge(key, orderId, DECLINED_USER, 2500, "EUR");
        assertThat(replay.status(), is(402));
        assertThat(replay.raw().body(), is(declined.raw().body()));
        assertThat(replay.header("Idempotent-Replayed"), is("true"));
        assertThat(paymentRows(orderId), is(1L));

        JsonObject recorded = get("/api/payments/" + paymentId).json();
        assertThat(recorded.getString("status"), is("DECLINED"));
        assertThat(recorded.getString("declineReason"), is("user-declined"));
        assertThat(recorded.getString("orderId"), is(orderId));

        // A decline does not take the order's capture: a new attempt under a new key may succeed.
        Answer captured = charge(key(), orderId, uuid(), 2500, "EUR");
        assertThat(captured.status(), is(201));
        assertThat(get("/api/payments?orderId=" + orderId).json().getJsonArray("items"), hasSize(2));
    }

    @Test
    void amountAboveTheLimitIsDeclined() {
        assertThat(charge(key(), uuid(), uuid(), DECLINE_ABOVE, "EUR").status(), is(201));
        Answer above = charge(key(), uuid(), uuid(), DECLINE_ABOVE + 1, "EUR");
        assertThat(above.status(), is(402));
        assertThat(above.json().getString("declineReason"), is("amount-above-limit"));
    }

    @Test
    void secondKeyForTheSameOrderIs409NamingTheCapture() {
        String orderId = uuid();
        String firstId = charge(key(), orderId, uuid(), 1000, "EUR").json().getString("id");
        Answer second = charge(key(), orderId, uuid(), 1000, "EUR");
        assertThat(second.status(), is(409));
        assertThat(second.problemType(), is("order-already-captured"));
        assertThat(second.json().getString("paymentId"), is(firstId));
        // Also when the second charge differs in amount or currency: the order is paid.
        Answer other = charge(key(), orderId, uuid(), 1, "USD");
        assertThat(other.status(), is(409));
        assertThat(other.json().getString("paymentId"), is(firstId));
        assertThat(paymentRows(orderId), is(1L));
    }

    @Test
    void replayOfTheConflictIsTheStoredConflict() {
        String orderId = uuid();
        String firstId = charge(key(), orderId, uuid(), 1000, "EUR").json().getString("id");
        String key = key();
        String body = chargeBody(orderId, uuid(), 1000, "EUR");
        Answer conflict = post("/api/payments", body, "Idempotency-Key", key);
        Answer replay = post("/api/payments", body, "Idempotency-Key", key);
        assertThat(conflict.status(), is(409));
        assertThat(replay.status(), is(409));
        assertThat(replay.raw().body(), is(conflict.raw().body()));
        assertThat(replay.json().getString("paymentId"), is(firstId));
        assertThat(replay.header("Idempotent-Replayed"), is("true"));
    }

    @Test
    void concurrentChargesOfOneOrderUnderDifferentKeysCaptureOnce() {
        String orderId = uuid();
        List<Answer> answers = atOnce(10, i -> post("/api/payments", chargeBody(orderId, uuid(), 1000 + i, "EUR"),
                "Idempotency-Key", key()));
        List<Answer> captured = answers.stream().filter(a -> a.status() == 201).toList();
        System.out.println("10 concurrent charges of one order under 10 keys (" + databaseName() + "): "
                           + byStatus(answers.stream().map(Answer::status).toList()));
        assertThat(captured, hasSize(1));
        String winner = captured.getFirst().json().getString("id");
        for (Answer answer : answers) {
            if (answer.status() != 201) {
                assertThat(answer.status(), is(409));
                assertThat(answer.problemType(), is("order-already-captured"));
                assertThat(answer.json().getString("paymentId"), is(winner));
            }
        }
        assertThat(paymentRows(orderId), is(1L));
    }

    @Test
    void sameKeyWithAnotherBodyIs422AndChargesNothing() {
        String key = key();
        String orderId = uuid();
        assertThat(charge(key, orderId, uuid(), 1000, "EUR").status(), is(201));
        String otherOrder = uuid();
        Answer reused = charge(key, otherOrder, uuid(), 1000, "EUR");
        assertThat(reused.status(), is(422));
        assertThat(reused.problemType(), is("idempotency-key-reused"));
        assertThat(paymentRows(otherOrder), is(0L));
    }

    // ---- replay storms ------------------------------------------------------------------------------

    @Test
    void fortyConcurrentIdenticalChargesCaptureOnce() {
        String orderId = uuid();
        String body = chargeBody(orderId, uuid(), 4200, "EUR");
        String key = key();
        assertStormCapturedOnce("40 identical charges, one key, one instance", orderId, key, body,
                atOnce(40, i -> post("/api/payments", body, "Idempotency-Key", key)));
    }

    @Test
    void fortyConcurrentIdenticalChargesOverTwoInstancesCaptureOnce() {
        // No grace period: the test client's idle keep-alive connections would hold stop() for the 10 s default.
        WebServer second = Main.setupServer(WebServer.builder(), config, new GracefulShutdown())
                .shutdownGracePeriod(Duration.ZERO)
                .build()
                .start();
        try {
            String[] bases = {base, "http://localhost:" + second.port()};
            String orderId = uuid();
            String body = chargeBody(orderId, uuid(), 4300, "EUR");
            String key = key();
            List<Answer> answers = atOnce(40, i -> Answer.of(HttpCalls.send("POST", bases[i % 2] + "/api/payments",
                    body, "Idempotency-Key", key)));
            assertStormCapturedOnce("40 identical charges, one key, two instances on one database", orderId, key,
                    body, answers);
            // After the storm both instances replay the one stored answer.
            Answer replay = Answer.of(HttpCalls.send("POST", bases[1] + "/api/payments", body, "Idempotency-Key", key));
            assertThat(replay.status(), is(201));
            assertThat(replay.header("Idempotent-Replayed"), is("true"));
        } finally {
            second.stop();
        }
    }

    /** Only 201 (first or replayed) and 409 (still in flight); one payment row; every 201 the same body. */
    private void assertStormCapturedOnce(String storm, String orderId, String key, String body, List<Answer> answers) {
        List<Integer> statuses = answers.stream().map(Answer::status).toList();
        long replayed = answers.stream().filter(a -> "true".equals(a.header("Idempotent-Replayed"))).count();
        long rows = paymentRows(orderId);
        long captures = database.number("SELECT COUNT(*) FROM payments WHERE captured_order_id = ?",
                UUID.fromString(orderId));
        System.out.println(storm + " (" + databaseName() + "): " + answers.size() + " requests, answers by status "
                           + byStatus(statuses) + " (" + replayed + " replayed), payment rows " + rows
                           + ", captures " + captures);
        assertThat(statuses, everyItem(isOneOf(201, 409)));
        assertThat(statuses.contains(201), is(true));
        assertThat(rows, is(1L));
        assertThat(captures, is(1L));
        Set<String> bodies = answers.stream().filter(a -> a.status() == 201).map(a -> a.raw().body())
                .collect(Collectors.toSet());
        assertThat(bodies, hasSize(1));
        for (Answer answer : answers) {
            if (answer.status() == 409) {
                assertThat(answer.problemType(), is("idempotency-in-flight"));
                assertThat(answer.header("Retry-After"), notNullValue());
            }
        }
        Answer after = post("/api/payments", body, "Idempotency-Key", key);
        assertThat(after.status(), is(201));
        assertThat(after.raw().body(), is(bodies.iterator().next()));
    }

    // ---- refunds ------------------------------------------------------------------------------------

    @Test
    void refundsMoveThePaymentToPartiallyRefundedThenRefunded() {
        String paymentId = capture(1000, "EUR");
        Answer first = refund(paymentId, key(), 300);
        assertThat(first.status(), is(201));
        JsonObject refund = first.json();
        assertThat(refund.getString("paymentId"), is(paymentId));
        assertThat(refund.getJsonNumber("amountMinor").longValueExact(), is(300L));
        assertThat(refund.getString("currency"), is("EUR"));
        assertThat(refund.getString("createdAt"), notNullValue());
        assertThat(first.header("Location"), is("/api/payments/" + paymentId + "/refunds/" + refund.getString("id")));
        assertThat(get(first.header("Location")).json(), is(refund));
        assertPayment(paymentId, "PARTIALLY_REFUNDED", 300);

        assertThat(refund(paymentId, key(), 700).status(), is(201));
        assertPayment(paymentId, "REFUNDED", 1000);

        Answer more = refund(paymentId, key(), 1);
        assertThat(more.status(), is(409));
        assertThat(more.problemType(), is("refund-exceeds-capture"));
        assertThat(more.json().getJsonNumber("refundableMinor").longValueExact(), is(0L));
        assertThat(get("/api/payments/" + paymentId + "/refunds").json().getJsonArray("items"), hasSize(2));
        assertPayment(paymentId, "REFUNDED", 1000);
    }

    @Test
    void overRefundIs409AndChangesNothing() {
        String paymentId = capture(500, "USD");
        assertThat(refund(paymentId, key(), 200).status(), is(201));
        Answer over = refund(paymentId, key(), 301);
        assertThat(over.status(), is(409));
        assertThat(over.problemType(), is("refund-exceeds-capture"));
        assertThat(over.json().getString("paymentId"), is(paymentId));
        assertThat(over.json().getJsonNumber("refundableMinor").longValueExact(), is(300L));
        assertPayment(paymentId, "PARTIALLY_REFUNDED", 200);
        assertThat(refundedSum(paymentId), is(200L));
        assertThat(refund(paymentId, key(), 300).status(), is(201));
        assertPayment(paymentId, "REFUNDED", 500);
    }

    @Test
    void refundOfADeclinedPaymentIs409() {
        Answer declined = charge(key(), uuid(), DECLINED_USER, 800, "EUR");
        String paymentId = declined.json().getString("paymentId");
        Answer refund = refund(paymentId, key(), 100);
        assertThat(refund.status(), is(409));
        assertThat(refund.problemType(), is("payment-not-refundable"));
        assertThat(refund.json().getString("paymentId"), is(paymentId));
        assertThat(refund.json().getString("status"), is("DECLINED"));
        assertPayment(paymentId, "DECLINED", 0);
        assertThat(refundedSum(paymentId), is(0L));
    }

    @Test
    void refundsAreReplayedAndKeysAreNotReusable() {
        String paymentId = capture(1000, "EUR");
        String key = key();
        Answer first = refund(paymentId, key, 400);
        Answer again = refund(paymentId, key, 400);
        assertThat(again.status(), is(201));
        assertThat(again.raw().body(), is(first.raw().body()));
        assertThat(again.header("Idempotent-Replayed"), is("true"));
        assertThat(refund(paymentId, key, 401).status(), is(422));
        assertPayment(paymentId, "PARTIALLY_REFUNDED", 400);
        assertThat(refundedSum(paymentId), is(400L));
    }

    @Test
    void refundOfAnUnknownPaymentIs404() {
        Answer unknown = refund(uuid(), key(), 100);
        assertThat(unknown.status(), is(404));
        assertThat(unknown.problemType(), is("not-found"));
        assertThat(get("/api/payments/" + uuid() + "/refunds").status(), is(404));
        String paymentId = capture(100, "EUR");
        assertThat(get("/api/payments/" + paymentId + "/refunds").json().getJsonArray("items"), hasSize(0));
        assertThat(get("/api/payments/" + paymentId + "/refunds/" + uuid()).status(), is(404));
    }

    @Test
    void tenConcurrentPartialRefundsNeverExceedTheCapture() {
        String paymentId = capture(1000, "EUR");
        List<Answer> answers = atOnce(10, i -> refund(paymentId, key(), 150));
        List<Integer> statuses = answers.stream().map(Answer::status).toList();
        long refunded = answers.stream().filter(a -> a.status() == 201)
                .mapToLong(a -> a.json().getJsonNumber("amountMinor").longValueExact()).sum();
        System.out.println("10 concurrent refunds of 150 against a capture of 1000 (" + databaseName() + "): "
                           + byStatus(statuses) + ", refunded " + refunded + ", refund rows sum " + refundedSum(paymentId));
        assertThat(statuses, everyItem(isOneOf(201, 409)));
        assertThat(refunded, lessThanOrEqualTo(1000L));
        // 6 x 150 = 900 fit, a 7th would not: exactly six may succeed, whatever the interleaving.
        assertThat(statuses.stream().filter(s -> s == 201).count(), is(6L));
        for (Answer answer : answers) {
            if (answer.status() == 409) {
                assertThat(answer.problemType(), is("refund-exceeds-capture"));
            }
        }
        assertPayment(paymentId, "PARTIALLY_REFUNDED", 900);
        assertThat(refundedSum(paymentId), is(900L));
    }

    @Test
    void concurrentRefundsThatExactlyFillTheCaptureEndRefunded() {
        String paymentId = capture(1000, "EUR");
        List<Integer> statuses = atOnce(10, i -> refund(paymentId, key(), 250)).stream().map(Answer::status).toList();
        assertThat(statuses.stream().filter(s -> s == 201).count(), is(4L));
        assertPayment(paymentId, "REFUNDED", 1000);
        assertThat(refundedSum(paymentId), is(1000L));
    }

    // ---- bad input ----------------------------------------------------------------------------------

    static Stream<Arguments> badCharges() {
        String o = "\"orderId\":\"" + UUID.randomUUID() + "\"";
        String u = "\"userId\":\"" + UUID.randomUUID() + "\"";
        String eur = "\"currency\":\"EUR\"";
        return Stream.of(
                Arguments.of("fractional amount", "{" + o + "," + u + ",\"amountMinor\":12.5," + eur + "}", "validation"),
                Arguments.of("amount with a zero fraction", "{" + o + "," + u + ",\"amountMinor\":100.0," + eur + "}", "validation"),
                Arguments.of("negative amount", "{" + o + "," + u + ",\"amountMinor\":-100," + eur + "}", "validation"),
                Arguments.of("zero amount", "{" + o + "," + u + ",\"amountMinor\":0," + eur + "}", "validation"),
                Arguments.of("amount over 10^12", "{" + o + "," + u + ",\"amountMinor\":1000000000001," + eur + "}", "validation"),
                Arguments.of("amount over a long", "{" + o + "," + u + ",\"amountMinor\":92233720368547758070," + eur + "}", "validation"),
                Arguments.of("huge exponent", "{" + o + "," + u + ",\"amountMinor\":1e999999999," + eur + "}", "validation"),
                Arguments.of("string amount", "{" + o + "," + u + ",\"amountMinor\":\"100\"," + eur + "}", "validation"),
                Arguments.of("boolean amount", "{" + o + "," + u + ",\"amountMinor\":true," + eur + "}", "validation"),
                Arguments.of("lower-case currency", "{" + o + "," + u + ",\"amountMinor\":100,\"currency\":\"eur\"}", "validation"),
                Arguments.of("unknown currency", "{" + o + "," + u + ",\"amountMinor\":100,\"currency\":\"ABC\"}", "validation"),
                Arguments.of("long currency", "{" + o + "," + u + ",\"amountMinor\":100,\"currency\":\"EURO\"}", "validation"),
                Arguments.of("numeric currency", "{" + o + "," + u + ",\"amountMinor\":100,\"currency\":978}", "validation"),
                Arguments.of("bad order id", "{\"orderId\":\"abc\"," + u + ",\"amountMinor\":100," + eur + "}", "validation"),
                Arguments.of("non-canonical order id", "{\"orderId\":\"1-2-3-4-5\"," + u + ",\"amountMinor\":100," + eur + "}", "validation"),
                Arguments.of("numeric user id", "{" + o + ",\"userId\":42,\"amountMinor\":100," + eur + "}", "validation"),
                Arguments.of("SQL in an id", "{\"orderId\":\"' OR 1=1 --\"," + u + ",\"amountMinor\":100," + eur + "}", "validation"),
                Arguments.of("missing fields", "{}", "validation"),
                Arguments.of("null fields", "{\"orderId\":null,\"userId\":null,\"amountMinor\":null,\"currency\":null}", "validation"),
                Arguments.of("unknown field", "{" + o + "," + u + ",\"amountMinor\":100," + eur + ",\"capture\":false}", "validation"),
                Arguments.of("misspelt field", "{" + o + "," + u + ",\"amount\":100," + eur + "}", "validation"),
                Arguments.of("malformed JSON", "{\"orderId\":", "malformed-json"),
                Arguments.of("not an object", "[1,2]", "malformed-json"),
                Arguments.of("empty body", "", "malformed-json"),
                Arguments.of("duplicate keys", "{" + o + "," + o + "," + u + ",\"amountMinor\":100," + eur + "}", "malformed-json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCharges")
    void badChargesAre400AndChangeNothing(String name, String body, String type) {
        long before = allPaymentRows();
        Answer answer = post("/api/payments", body, "Idempotency-Key", key());
        assertThat(answer.status(), is(400));
        assertThat(answer.contentType(), is("application/problem+json"));
        assertThat(answer.problemType(), is(type));
        assertThat(answer.raw().body(), not(containsString("Exception")));
        assertThat(allPaymentRows(), is(before));
    }

    static Stream<Arguments> badRefunds() {
        return Stream.of(
                Arguments.of("fractional amount", "{\"amountMinor\":1.5}", "validation"),
                Arguments.of("negative amount", "{\"amountMinor\":-1}", "validation"),
                Arguments.of("zero amount", "{\"amountMinor\":0}", "validation"),
                Arguments.of("amount over 10^12", "{\"amountMinor\":1000000000001}", "validation"),
                Arguments.of("amount over a long", "{\"amountMinor\":99999999999999999999999}", "validation"),
                Arguments.of("string amount", "{\"amountMinor\":\"10\"}", "validation"),
                Arguments.of("missing amount", "{}", "validation"),
                Arguments.of("a currency is not accepted", "{\"amountMinor\":10,\"currency\":\"EUR\"}", "validation"),
                Arguments.of("malformed JSON", "{\"amountMinor\":1", "malformed-json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRefunds")
    void badRefundsAre400AndChangeNothing(String name, String body, String type) {
        String paymentId = capture(1000, "EUR");
        Answer answer = post("/api/payments/" + paymentId + "/refunds", body, "Idempotency-Key", key());
        assertThat(answer.status(), is(400));
        assertThat(answer.problemType(), is(type));
        assertPayment(paymentId, "CAPTURED", 0);
        assertThat(refundedSum(paymentId), is(0L));
    }

    @Test
    void validationListsEveryFieldError() {
        Answer answer = post("/api/payments", "{\"orderId\":\"x\",\"userId\":1,\"amountMinor\":0.5,\"currency\":\"eu\","
                                              + "\"extra\":1}", "Idempotency-Key", key());
        assertThat(answer.json().getJsonArray("errors"), hasSize(5));
    }

    @Test
    void chargesAndRefundsRequireAValidIdempotencyKey() {
        String orderId = uuid();
        String body = chargeBody(orderId, uuid(), 100, "EUR");
        Answer missing = post("/api/payments", body);
        assertThat(missing.status(), is(400));
        assertThat(missing.problemType(), is("idempotency-key-required"));
        for (String bad : List.of("", "\"\"", "k".repeat(256), "has space", "\"unterminated")) {
            Answer answer = post("/api/payments", body, "Idempotency-Key", bad);
            assertThat("key <" + bad + ">", answer.status(), is(400));
            assertThat(answer.problemType(), is("invalid-idempotency-key"));
        }
        assertThat(paymentRows(orderId), is(0L));
        assertThat(post("/api/payments", body, "Idempotency-Key", "k".repeat(255)).status(), is(201));

        String paymentId = capture(100, "EUR");
        Answer refundWithoutKey = post("/api/payments/" + paymentId + "/refunds", "{\"amountMinor\":10}");
        assertThat(refundWithoutKey.status(), is(400));
        assertThat(refundWithoutKey.problemType(), is("idempotency-key-required"));
        assertThat(refund(paymentId, "k".repeat(256), 10).status(), is(400));
        assertPayment(paymentId, "CAPTURED", 0);
    }

    @Test
    void wrongContentTypeIs415AndInvalidUtf8Is400() {
        String body = chargeBody(uuid(), uuid(), 100, "EUR");
        long before = allPaymentRows();
        assertThat(raw("/api/payments", "text/plain", body.getBytes()).statusCode(), is(415));
        assertThat(raw("/api/payments", null, body.getBytes()).statusCode(), is(415));
        assertThat(raw("/api/payments", "application/json; charset=iso-8859-1", body.getBytes()).statusCode(), is(415));
        byte[] latin1 = chargeBody(uuid(), uuid(), 100, "EUR").replace("}", ",\"n\":\"\u00ff\"}")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(raw("/api/payments", "application/json", latin1).statusCode(), is(400));
        assertThat(allPaymentRows(), is(before));
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        HttpCalls.RawResponse response = HttpCalls.oversizedPost(base, "/api/payments");
        assertThat(response.status(), is(413));
        assertThat(response.contentType(), is("application/problem+json"));
    }

    @Test
    void badPathIdsAndQueriesAre400() {
        for (String bad : List.of("abc", "1-2-3-4-5", "00000000-0000-0000-0000-00000000000g", "%27%20OR%201%3D1")) {
            assertThat(bad, get("/api/payments/" + bad).status(), is(400));
            assertThat(bad, get("/api/payments/" + bad + "/refunds").status(), is(400));
            assertThat(bad, refund(bad, key(), 1).status(), is(400));
            assertThat(bad, get("/api/payments/" + uuid() + "/refunds/" + bad).status(), is(400));
        }
        Answer missing = get("/api/payments");
        assertThat(missing.status(), is(400));
        assertThat(missing.json().getJsonArray("errors").getJsonObject(0).getString("field"), is("orderId"));
        for (String query : List.of("orderId=", "orderId=abc", "orderId=%27%20OR%20%271%27%3D%271", "order=" + uuid())) {
            Answer answer = get("/api/payments?" + query);
            assertThat(query, answer.status(), is(400));
            assertThat(answer.contentType(), is("application/problem+json"));
        }
        Answer unknown = get("/api/payments/" + uuid());
        assertThat(unknown.status(), is(404));
        assertThat(unknown.problemType(), is("not-found"));
    }

    @Test
    void otherMethodsAre405WithAllow() {
        String id = uuid();
        Map<String, String> allowed = Map.of(
                "/api/payments", "GET, POST",
                "/api/payments/" + id, "GET",
                "/api/payments/" + id + "/refunds", "GET, POST",
                "/api/payments/" + id + "/refunds/" + uuid(), "GET");
        allowed.forEach((path, allow) -> {
            for (String method : List.of("PUT", "DELETE", "PATCH")) {
                Answer answer = send(method, path, "{}");
                assertThat(method + " " + path, answer.status(), is(405));
                assertThat(answer.header("Allow"), is(allow));
                assertThat(answer.problemType(), is("method-not-allowed"));
            }
        });
    }

    // ---- observability and the contract document -----------------------------------------------------

    @Test
    void metricsCountCapturesDeclinesAmountsAndRefunds() {
        String captured = "meshshop_payments_total{outcome=\"captured\"}";
        String declined = "meshshop_payments_total{outcome=\"declined\"}";
        String amountChf = "meshshop_payments_captured_minor_total{currency=\"CHF\"}";
        String refunded = "meshshop_refunds_total{outcome=\"refunded\"}";
        String rejected = "meshshop_refunds_total{outcome=\"rejected\"}";
        String replayed = "meshshop_idempotency_requests_total{outcome=\"replayed\"}";
        Map<String, Double> before = metrics();

        String key = key();
        String orderId = uuid();
        String userId = uuid();
        String paymentId = charge(key, orderId, userId, 1234, "CHF").json().getString("id");
        charge(key, orderId, userId, 1234, "CHF");
        charge(key(), uuid(), DECLINED_USER, 1, "CHF");
        refund(paymentId, key(), 234);
        refund(paymentId, key(), 1001);

        Map<String, Double> after = metrics();
        assertThat(delta(before, after, captured), is(1.0));
        assertThat(delta(before, after, declined), is(1.0));
        assertThat(delta(before, after, amountChf), is(1234.0));
        assertThat(delta(before, after, refunded), is(1.0));
        assertThat(delta(before, after, rejected), is(1.0));
        assertThat(delta(before, after, replayed), is(1.0));
    }

    @Test
    void healthIsReady() {
        assertThat(get("/observe/health/live").status(), is(200));
        Answer ready = get("/observe/health/ready");
        assertThat(ready.status(), is(200));
        assertThat(ready.raw().body(), containsString("database"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyDocumentedOperationAnswersAsDocumented() {
        HttpResponse<String> doc = HttpCalls.send("GET", base + "/openapi", null, "Accept", "application/yaml");
        assertThat(doc.statusCode(), is(200));
        Map<String, Object> openapi = new Yaml().load(doc.body());
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) openapi.get("paths");
        String orderId = uuid();
        String paymentId = charge(key(), orderId, uuid(), 5000, "EUR").json().getString("id");
        String refundId = refund(paymentId, key(), 100).json().getString("id");
        Map<String, String> bodies = Map.of(
                "charge", chargeBody(uuid(), uuid(), 100, "EUR"),
                "refund", "{\"amountMinor\":100}");
        Set<String> checked = new HashSet<>();
        paths.forEach((path, operations) -> operations.forEach((method, value) -> {
            if (!List.of("get", "post", "put", "delete", "patch").contains(method)) {
                return;
            }
            Map<String, Object> operation = (Map<String, Object>) value;
            String operationId = (String) operation.get("operationId");
            String concrete = path.replace("{id}", paymentId).replace("{refundId}", refundId)
                              + (operationId.equals("listPaymentsOfOrder") ? "?orderId=" + orderId : "");
            Answer answer = method.equals("post")
                    ? send("POST", concrete, bodies.get(operationId), "Idempotency-Key", key())
                    : send(method.toUpperCase(), concrete, null);
            Set<String> documented = ((Map<String, Object>) operation.get("responses")).keySet();
            assertThat(method + " " + path + " answered " + answer.status() + " " + answer.raw().body(),
                    documented.contains(String.valueOf(answer.status())) && answer.status() < 300, is(true));
            checked.add(operationId);
        }));
        assertThat(checked, is(Set.of("charge", "listPaymentsOfOrder", "getPayment", "refund", "listRefunds",
                "getRefund")));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /**
     * Sends {@code count} requests at once: each waits at a barrier first, so that they reach the server as
     * close together as a client can make them and the first has not finished when the others arrive.
     */
    private static List<Answer> atOnce(int count, IntFunction<Answer> request) {
        CyclicBarrier start = new CyclicBarrier(count);
        List<Callable<Answer>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            calls.add(() -> {
                start.await(30, TimeUnit.SECONDS);
                return request.apply(index);
            });
        }
        return HttpCalls.concurrently(calls);
    }

    /** H2 or PostgreSQL, for the figures the storm tests print. */
    private String databaseName() {
        return config.get("db.url").asString().get().startsWith("jdbc:h2:") ? "H2" : "PostgreSQL";
    }

    private long paymentRows(String orderId) {
        return database.number("SELECT COUNT(*) FROM payments WHERE order_id = ?", UUID.fromString(orderId));
    }

    private long allPaymentRows() {
        return database.number("SELECT COUNT(*) FROM payments");
    }

    private long refundedSum(String paymentId) {
        return database.number("SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = ?",
                UUID.fromString(paymentId));
    }

    private void assertPayment(String paymentId, String status, long refundedMinor) {
        JsonObject payment = get("/api/payments/" + paymentId).json();
        assertThat(payment.getString("status"), is(status));
        assertThat(payment.getJsonNumber("refundedMinor").longValueExact(), is(refundedMinor));
    }

    private static Map<Integer, Long> byStatus(List<Integer> statuses) {
        return statuses.stream().collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
    }

    private static final Pattern SAMPLE = Pattern.compile("^(meshshop_[a-z_]+_total\\{[^}]*})\\s+(\\S+)",
            Pattern.MULTILINE);

    /** The meshshop counters of the Prometheus text, by series with only its business tag kept. */
    private Map<String, Double> metrics() {
        HttpResponse<String> response = HttpCalls.send("GET", base + "/observe/metrics", null, "Accept", "text/plain");
        assertThat(response.statusCode(), is(200));
        Map<String, Double> samples = new TreeMap<>();
        Matcher matcher = SAMPLE.matcher(response.body());
        while (matcher.find()) {
            samples.merge(businessSeries(matcher.group(1)), Double.parseDouble(matcher.group(2)), Double::sum);
        }
        return samples;
    }

    /** {@code name{outcome="x",scope="application",}} -> {@code name{outcome="x"}}. */
    private static String businessSeries(String series) {
        String name = series.substring(0, series.indexOf('{'));
        Matcher tag = Pattern.compile("(outcome|currency)=\"[^\"]*\"").matcher(series);
        return tag.find() ? name + "{" + tag.group() + "}" : name + "{}";
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        return after.getOrDefault(series, 0.0) - before.getOrDefault(series, 0.0);
    }

    String capture(long amountMinor, String currency) {
        Answer answer = charge(key(), uuid(), uuid(), amountMinor, currency);
        assertThat(answer.raw().body(), answer.status(), is(201));
        return answer.json().getString("id");
    }

    Answer charge(String key, String orderId, String userId, long amountMinor, String currency) {
        return post("/api/payments", chargeBody(orderId, userId, amountMinor, currency), "Idempotency-Key", key);
    }

    Answer refund(String paymentId, String key, long amountMinor) {
        return post("/api/payments/" + paymentId + "/refunds", "{\"amountMinor\":" + amountMinor + "}",
                "Idempotency-Key", key);
    }

    static String chargeBody(String orderId, String userId, long amountMinor, String currency) {
        return "{\"orderId\":\"" + orderId + "\",\"userId\":\"" + userId + "\",\"amountMinor\":" + amountMinor
               + ",\"currency\":\"" + currency + "\"}";
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer post(String path, String json, String... headers) {
        return send("POST", path, json, headers);
    }

    Answer send(String method, String path, String json, String... headers) {
        return Answer.of(HttpCalls.send(method, base + path, json, headers));
    }

    private HttpResponse<String> raw(String path, String contentType, byte[] body) {
        return HttpCalls.sendBytes("POST", base + path, contentType, body, "Idempotency-Key", key());
    }

    static String uuid() {
        return UUID.randomUUID().toString();
    }

    static String key() {
        return UUID.randomUUID().toString();
    }
}
