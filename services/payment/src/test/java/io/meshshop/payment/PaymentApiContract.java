package io.meshshop.payment;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.OpenApiContract;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
        assertThat("status of " + created, created.status(), is(201));
        JsonObject payment = created.json();
        assertThat("payment's orderId", payment.getString("orderId"), is(orderId));
        assertThat("payment's userId", payment.getString("userId"), is(userId));
        assertThat("payment's amountMinor", payment.getJsonNumber("amountMinor").longValueExact(), is(1999L));
        assertThat("payment's currency", payment.getString("currency"), is("EUR"));
        assertThat("payment's status", payment.getString("status"), is("CAPTURED"));
        assertThat("payment's refundedMinor", payment.getJsonNumber("refundedMinor").longValueExact(), is(0L));
        assertThat("payment's createdAt", payment.getString("createdAt"), notNullValue());
        assertThat("payment has declineReason", payment.containsKey("declineReason"), is(false));
        assertThat("created's Location header",
                created.header("Location"), is("/api/payments/" + payment.getString("id")));
        assertThat("created's Idempotent-Replayed header", created.header("Idempotent-Replayed"), nullValue());

        Answer read = get(created.header("Location"));
        assertThat("status of " + read, read.status(), is(200));
        assertThat("read's JSON", read.json(), is(payment));

        Answer listed = get("/api/payments?orderId=" + orderId);
        assertThat("status of " + listed, listed.status(), is(200));
        assertThat("listed's items", listed.json().getJsonArray("items"), hasSize(1));
        assertThat("listed's items", listed.json().getJsonArray("items").getJsonObject(0), is(payment));
        assertThat("payments of an unknown order", get("/api/payments?orderId=" + uuid()).json().getJsonArray("items"), hasSize(0));
    }

    @Test
    void largestAmountAndZeroDecimalCurrenciesAreIntegers() {
        Answer yen = charge(key(), uuid(), uuid(), 5000, "JPY");
        assertThat("status of " + yen, yen.status(), is(201));
        assertThat("yen's currency", yen.json().getString("currency"), is("JPY"));
        // 10^12 is a valid amount; the shipped acquirer declines it, which still records it exactly.
        Answer largest = charge(key(), uuid(), uuid(), 1_000_000_000_000L, "EUR");
        assertThat("status of " + largest, largest.status(), is(402));
        String id = largest.json().getString("paymentId");
        assertThat("the stored amount", get("/api/payments/" + id).json().getJsonNumber("amountMinor").longValueExact(),
                is(1_000_000_000_000L));
    }

    @Test
    void declineIsRecordedAnsweredAs402AndReplayed() {
        String orderId = uuid();
        String key = key();
        Answer declined = charge(key, orderId, DECLINED_USER, 2500, "EUR");
        assertThat("status of " + declined, declined.status(), is(402));
        assertThat("declined's Content-Type", declined.contentType(), is("application/problem+json"));
        assertThat("declined's problem type", declined.problemType(), is("payment-declined"));
        assertThat("declined's declineReason", declined.json().getString("declineReason"), is("user-declined"));
        String paymentId = declined.json().getString("paymentId");

        Answer replay = charge(key, orderId, DECLINED_USER, 2500, "EUR");
        assertThat("status of " + replay, replay.status(), is(402));
        assertThat("replay's body", replay.raw().body(), is(declined.raw().body()));
        assertThat("replay's Idempotent-Replayed header", replay.header("Idempotent-Replayed"), is("true"));
        assertThat("payment rows of orderId", paymentRows(orderId), is(1L));

        JsonObject recorded = get("/api/payments/" + paymentId).json();
        assertThat("recorded's status", recorded.getString("status"), is("DECLINED"));
        assertThat("recorded's declineReason", recorded.getString("declineReason"), is("user-declined"));
        assertThat("recorded's orderId", recorded.getString("orderId"), is(orderId));

        // A decline does not take the order's capture: a new attempt under a new key may succeed.
        Answer captured = charge(key(), orderId, uuid(), 2500, "EUR");
        assertThat("status of " + captured, captured.status(), is(201));
        assertThat("the order's payments: the decline and the capture",
                get("/api/payments?orderId=" + orderId).json().getJsonArray("items"), hasSize(2));
    }

    @Test
    void amountAboveTheLimitIsDeclined() {
        assertThat("a charge of exactly the limit", charge(key(), uuid(), uuid(), DECLINE_ABOVE, "EUR").status(), is(201));
        Answer above = charge(key(), uuid(), uuid(), DECLINE_ABOVE + 1, "EUR");
        assertThat("status of " + above, above.status(), is(402));
        assertThat("above's declineReason", above.json().getString("declineReason"), is("amount-above-limit"));
    }

    @Test
    void secondKeyForTheSameOrderIs409NamingTheCapture() {
        String orderId = uuid();
        String firstId = charge(key(), orderId, uuid(), 1000, "EUR").json().getString("id");
        Answer second = charge(key(), orderId, uuid(), 1000, "EUR");
        assertThat("status of " + second, second.status(), is(409));
        assertThat("second's problem type", second.problemType(), is("order-already-captured"));
        assertThat("second's paymentId", second.json().getString("paymentId"), is(firstId));
        // Also when the second charge differs in amount or currency: the order is paid.
        Answer other = charge(key(), orderId, uuid(), 1, "USD");
        assertThat("status of " + other, other.status(), is(409));
        assertThat("other's paymentId", other.json().getString("paymentId"), is(firstId));
        assertThat("payment rows of orderId", paymentRows(orderId), is(1L));
    }

    @Test
    void replayOfTheConflictIsTheStoredConflict() {
        String orderId = uuid();
        String firstId = charge(key(), orderId, uuid(), 1000, "EUR").json().getString("id");
        String key = key();
        String body = chargeBody(orderId, uuid(), 1000, "EUR");
        Answer conflict = post("/api/payments", body, "Idempotency-Key", key);
        Answer replay = post("/api/payments", body, "Idempotency-Key", key);
        assertThat("status of " + conflict, conflict.status(), is(409));
        assertThat("status of " + replay, replay.status(), is(409));
        assertThat("replay's body", replay.raw().body(), is(conflict.raw().body()));
        assertThat("replay's paymentId", replay.json().getString("paymentId"), is(firstId));
        assertThat("replay's Idempotent-Replayed header", replay.header("Idempotent-Replayed"), is("true"));
    }

    @Test
    void concurrentChargesOfOneOrderUnderDifferentKeysCaptureOnce() {
        String orderId = uuid();
        List<Answer> answers = atOnce(10, i -> post("/api/payments", chargeBody(orderId, uuid(), 1000 + i, "EUR"),
                "Idempotency-Key", key()));
        List<Answer> captured = answers.stream().filter(a -> a.status() == 201).toList();
        System.out.println("10 concurrent charges of one order under 10 keys (" + databaseName() + "): "
                           + byStatus(answers.stream().map(Answer::status).toList()));
        assertThat("captures among " + byStatus(answers.stream().map(Answer::status).toList()), captured, hasSize(1));
        String winner = captured.getFirst().json().getString("id");
        for (Answer answer : answers) {
            if (answer.status() != 201) {
                assertThat("status of " + answer, answer.status(), is(409));
                assertThat("answer's problem type", answer.problemType(), is("order-already-captured"));
                assertThat("answer's paymentId", answer.json().getString("paymentId"), is(winner));
            }
        }
        assertThat("payment rows of orderId", paymentRows(orderId), is(1L));
    }

    @Test
    void sameKeyWithAnotherBodyIs422AndChargesNothing() {
        String key = key();
        String orderId = uuid();
        assertThat("the first charge under the key", charge(key, orderId, uuid(), 1000, "EUR").status(), is(201));
        String otherOrder = uuid();
        Answer reused = charge(key, otherOrder, uuid(), 1000, "EUR");
        assertThat("status of " + reused, reused.status(), is(422));
        assertThat("reused's problem type", reused.problemType(), is("idempotency-key-reused"));
        assertThat("payment rows of otherOrder", paymentRows(otherOrder), is(0L));
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
            assertThat("status of " + replay, replay.status(), is(201));
            assertThat("replay's Idempotent-Replayed header", replay.header("Idempotent-Replayed"), is("true"));
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
        assertThat("statuses", statuses, everyItem(isOneOf(201, 409)));
        assertThat("one of them captured", statuses.contains(201), is(true));
        assertThat("payment rows", rows, is(1L));
        assertThat("captures", captures, is(1L));
        Set<String> bodies = answers.stream().filter(a -> a.status() == 201).map(a -> a.raw().body())
                .collect(Collectors.toSet());
        assertThat("distinct bodies of the 201 answers", bodies, hasSize(1));
        for (Answer answer : answers) {
            if (answer.status() == 409) {
                assertThat("answer's problem type", answer.problemType(), is("idempotency-in-flight"));
                assertThat("answer's Retry-After header", answer.header("Retry-After"), notNullValue());
            }
        }
        Answer after = post("/api/payments", body, "Idempotency-Key", key);
        assertThat("status of " + after, after.status(), is(201));
        assertThat("after's body", after.raw().body(), is(bodies.iterator().next()));
    }

    // ---- refunds ------------------------------------------------------------------------------------

    @Test
    void refundsMoveThePaymentToPartiallyRefundedThenRefunded() {
        String paymentId = capture(1000, "EUR");
        Answer first = refund(paymentId, key(), 300);
        assertThat("status of " + first, first.status(), is(201));
        JsonObject refund = first.json();
        assertThat("refund's paymentId", refund.getString("paymentId"), is(paymentId));
        assertThat("refund's amountMinor", refund.getJsonNumber("amountMinor").longValueExact(), is(300L));
        assertThat("refund's currency", refund.getString("currency"), is("EUR"));
        assertThat("refund's createdAt", refund.getString("createdAt"), notNullValue());
        assertThat("first's Location header",
                first.header("Location"), is("/api/payments/" + paymentId + "/refunds/" + refund.getString("id")));
        assertThat("the refund read at its Location", get(first.header("Location")).json(), is(refund));
        assertPayment(paymentId, "PARTIALLY_REFUNDED", 300);

        assertThat("the refund of the rest", refund(paymentId, key(), 700).status(), is(201));
        assertPayment(paymentId, "REFUNDED", 1000);

        Answer more = refund(paymentId, key(), 1);
        assertThat("status of " + more, more.status(), is(409));
        assertThat("more's problem type", more.problemType(), is("refund-exceeds-capture"));
        assertThat("more's refundableMinor", more.json().getJsonNumber("refundableMinor").longValueExact(), is(0L));
        assertThat("the payment's refunds",
                get("/api/payments/" + paymentId + "/refunds").json().getJsonArray("items"), hasSize(2));
        assertPayment(paymentId, "REFUNDED", 1000);
    }

    @Test
    void overRefundIs409AndChangesNothing() {
        String paymentId = capture(500, "USD");
        assertThat("a refund of 200 of 500", refund(paymentId, key(), 200).status(), is(201));
        Answer over = refund(paymentId, key(), 301);
        assertThat("status of " + over, over.status(), is(409));
        assertThat("over's problem type", over.problemType(), is("refund-exceeds-capture"));
        assertThat("over's paymentId", over.json().getString("paymentId"), is(paymentId));
        assertThat("over's refundableMinor", over.json().getJsonNumber("refundableMinor").longValueExact(), is(300L));
        assertPayment(paymentId, "PARTIALLY_REFUNDED", 200);
        assertThat("refunded sum of paymentId", refundedSum(paymentId), is(200L));
        assertThat("a refund of the remaining 300", refund(paymentId, key(), 300).status(), is(201));
        assertPayment(paymentId, "REFUNDED", 500);
    }

    @Test
    void refundOfADeclinedPaymentIs409() {
        Answer declined = charge(key(), uuid(), DECLINED_USER, 800, "EUR");
        String paymentId = declined.json().getString("paymentId");
        Answer refund = refund(paymentId, key(), 100);
        assertThat("status of " + refund, refund.status(), is(409));
        assertThat("refund's problem type", refund.problemType(), is("payment-not-refundable"));
        assertThat("refund's paymentId", refund.json().getString("paymentId"), is(paymentId));
        assertThat("refund's status", refund.json().getString("status"), is("DECLINED"));
        assertPayment(paymentId, "DECLINED", 0);
        assertThat("refunded sum of paymentId", refundedSum(paymentId), is(0L));
    }

    @Test
    void refundsAreReplayedAndKeysAreNotReusable() {
        String paymentId = capture(1000, "EUR");
        String key = key();
        Answer first = refund(paymentId, key, 400);
        Answer again = refund(paymentId, key, 400);
        assertThat("status of " + again, again.status(), is(201));
        assertThat("again's body", again.raw().body(), is(first.raw().body()));
        assertThat("again's Idempotent-Replayed header", again.header("Idempotent-Replayed"), is("true"));
        assertThat("the key with another amount", refund(paymentId, key, 401).status(), is(422));
        assertPayment(paymentId, "PARTIALLY_REFUNDED", 400);
        assertThat("refunded sum of paymentId", refundedSum(paymentId), is(400L));
    }

    @Test
    void refundOfAnUnknownPaymentIs404() {
        Answer unknown = refund(uuid(), key(), 100);
        assertThat("status of " + unknown, unknown.status(), is(404));
        assertThat("unknown's problem type", unknown.problemType(), is("not-found"));
        assertThat("refunds of an unknown payment", get("/api/payments/" + uuid() + "/refunds").status(), is(404));
        String paymentId = capture(100, "EUR");
        assertThat("refunds of a payment never refunded",
                get("/api/payments/" + paymentId + "/refunds").json().getJsonArray("items"), hasSize(0));
        assertThat("an unknown refund of a known payment", get("/api/payments/" + paymentId + "/refunds/" + uuid()).status(), is(404));
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
        assertThat("statuses", statuses, everyItem(isOneOf(201, 409)));
        assertThat("the amount refunded", refunded, lessThanOrEqualTo(1000L));
        // 6 x 150 = 900 fit, a 7th would not: exactly six may succeed, whatever the interleaving.
        assertThat("refunds that succeeded", statuses.stream().filter(s -> s == 201).count(), is(6L));
        for (Answer answer : answers) {
            if (answer.status() == 409) {
                assertThat("answer's problem type", answer.problemType(), is("refund-exceeds-capture"));
            }
        }
        assertPayment(paymentId, "PARTIALLY_REFUNDED", 900);
        assertThat("refunded sum of paymentId", refundedSum(paymentId), is(900L));
    }

    @Test
    void concurrentRefundsThatExactlyFillTheCaptureEndRefunded() {
        String paymentId = capture(1000, "EUR");
        List<Integer> statuses = atOnce(10, i -> refund(paymentId, key(), 250)).stream().map(Answer::status).toList();
        assertThat("refunds that succeeded", statuses.stream().filter(s -> s == 201).count(), is(4L));
        assertPayment(paymentId, "REFUNDED", 1000);
        assertThat("refunded sum of paymentId", refundedSum(paymentId), is(1000L));
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
        assertThat("status of " + answer, answer.status(), is(400));
        assertThat("answer's Content-Type", answer.contentType(), is("application/problem+json"));
        assertThat("answer's problem type", answer.problemType(), is(type));
        assertThat("answer's body", answer.raw().body(), not(containsString("Exception")));
        assertThat("all payment rows", allPaymentRows(), is(before));
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
        assertThat("status of " + answer, answer.status(), is(400));
        assertThat("answer's problem type", answer.problemType(), is(type));
        assertPayment(paymentId, "CAPTURED", 0);
        assertThat("refunded sum of paymentId", refundedSum(paymentId), is(0L));
    }

    @Test
    void validationListsEveryFieldError() {
        Answer answer = post("/api/payments", "{\"orderId\":\"x\",\"userId\":1,\"amountMinor\":0.5,\"currency\":\"eu\","
                                              + "\"extra\":1}", "Idempotency-Key", key());
        assertThat("answer's errors", answer.json().getJsonArray("errors"), hasSize(5));
    }

    @Test
    void chargesAndRefundsRequireAValidIdempotencyKey() {
        String orderId = uuid();
        String body = chargeBody(orderId, uuid(), 100, "EUR");
        Answer missing = post("/api/payments", body);
        assertThat("status of " + missing, missing.status(), is(400));
        assertThat("missing's problem type", missing.problemType(), is("idempotency-key-required"));
        for (String bad : List.of("", "\"\"", "k".repeat(256), "has space", "\"unterminated")) {
            Answer answer = post("/api/payments", body, "Idempotency-Key", bad);
            assertThat("key <" + bad + ">", answer.status(), is(400));
            assertThat("answer's problem type", answer.problemType(), is("invalid-idempotency-key"));
        }
        assertThat("payment rows of orderId", paymentRows(orderId), is(0L));
        assertThat("a key of 255 characters", post("/api/payments", body, "Idempotency-Key", "k".repeat(255)).status(), is(201));

        String paymentId = capture(100, "EUR");
        Answer refundWithoutKey = post("/api/payments/" + paymentId + "/refunds", "{\"amountMinor\":10}");
        assertThat("status of " + refundWithoutKey, refundWithoutKey.status(), is(400));
        assertThat("refundWithoutKey's problem type", refundWithoutKey.problemType(), is("idempotency-key-required"));
        assertThat("a refund under a key of 256 characters", refund(paymentId, "k".repeat(256), 10).status(), is(400));
        assertPayment(paymentId, "CAPTURED", 0);
    }

    @Test
    void wrongContentTypeIs415AndInvalidUtf8Is400() {
        String body = chargeBody(uuid(), uuid(), 100, "EUR");
        long before = allPaymentRows();
        assertThat("text/plain", raw("/api/payments", "text/plain", body.getBytes()).statusCode(), is(415));
        assertThat("no Content-Type", raw("/api/payments", null, body.getBytes()).statusCode(), is(415));
        assertThat("JSON in ISO-8859-1",
                raw("/api/payments", "application/json; charset=iso-8859-1", body.getBytes()).statusCode(), is(415));
        byte[] latin1 = chargeBody(uuid(), uuid(), 100, "EUR").replace("}", ",\"n\":\"\u00ff\"}")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat("JSON with a Latin-1 byte", raw("/api/payments", "application/json", latin1).statusCode(), is(400));
        assertThat("all payment rows", allPaymentRows(), is(before));
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        HttpCalls.RawResponse response = HttpCalls.oversizedPost(base, "/api/payments");
        assertThat("status of " + response, response.status(), is(413));
        assertThat("response's Content-Type", response.contentType(), is("application/problem+json"));
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
        assertThat("status of " + missing, missing.status(), is(400));
        assertThat("missing's errors",
                missing.json().getJsonArray("errors").getJsonObject(0).getString("field"), is("orderId"));
        for (String query : List.of("orderId=", "orderId=abc", "orderId=%27%20OR%20%271%27%3D%271", "order=" + uuid())) {
            Answer answer = get("/api/payments?" + query);
            assertThat(query, answer.status(), is(400));
            assertThat("answer's Content-Type", answer.contentType(), is("application/problem+json"));
        }
        Answer unknown = get("/api/payments/" + uuid());
        assertThat("status of " + unknown, unknown.status(), is(404));
        assertThat("unknown's problem type", unknown.problemType(), is("not-found"));
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
                assertThat("answer's Allow header", answer.header("Allow"), is(allow));
                assertThat("answer's problem type", answer.problemType(), is("method-not-allowed"));
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
        assertThat(captured, delta(before, after, captured), is(1.0));
        assertThat(declined, delta(before, after, declined), is(1.0));
        assertThat(amountChf, delta(before, after, amountChf), is(1234.0));
        assertThat(refunded, delta(before, after, refunded), is(1.0));
        assertThat(rejected, delta(before, after, rejected), is(1.0));
        assertThat(replayed, delta(before, after, replayed), is(1.0));
    }

    @Test
    void healthIsReady() {
        assertThat("liveness", get("/observe/health/live").status(), is(200));
        Answer ready = get("/observe/health/ready");
        assertThat("status of " + ready, ready.status(), is(200));
        assertThat("ready's body", ready.raw().body(), containsString("database"));
    }

    @Test
    void everyDocumentedOperationAnswersAsDocumented() {
        String orderId = uuid();
        String paymentId = capture(5000, "EUR");
        String refundId = refund(paymentId, key(), 100).json().getString("id");
        Map<String, String> bodies = Map.of(
                "charge", chargeBody(uuid(), uuid(), 100, "EUR"),
                "refund", "{\"amountMinor\":100}");
        OpenApiContract.assertEveryOperationSucceedsAsDocumented(base,
                Set.of("charge", "listPaymentsOfOrder", "getPayment", "refund", "listRefunds", "getRefund"),
                operation -> {
                    String path = operation.path(Map.of("id", paymentId, "refundId", refundId))
                                  + (operation.operationId().equals("listPaymentsOfOrder") ? "?orderId=" + orderId : "");
                    return operation.method().equals("POST")
                            ? send("POST", path, bodies.get(operation.operationId()), "Idempotency-Key", key())
                            : send(operation.method(), path, null);
                });
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
        assertThat("payment's status", payment.getString("status"), is(status));
        assertThat("payment's refundedMinor",
                payment.getJsonNumber("refundedMinor").longValueExact(), is(refundedMinor));
    }

    private static Map<Integer, Long> byStatus(List<Integer> statuses) {
        return statuses.stream().collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
    }

    private static final Pattern SAMPLE = Pattern.compile("^(meshshop_[a-z_]+_total\\{[^}]*})\\s+(\\S+)",
            Pattern.MULTILINE);

    /** The meshshop counters of the Prometheus text, by series with only its business tag kept. */
    private Map<String, Double> metrics() {
        HttpResponse<String> response = HttpCalls.send("GET", base + "/observe/metrics", null, "Accept", "text/plain");
        assertThat("GET /observe/metrics", response.statusCode(), is(200));
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
