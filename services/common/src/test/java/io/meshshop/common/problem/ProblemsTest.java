package io.meshshop.common.problem;

import java.io.StringReader;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HttpException;
import io.helidon.http.Status;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * How failures become problem documents, without a server: the document's shape, Helidon's errors by
 * status, and the failures nobody planned for (a database that is down is a 503, anything else a 500 that
 * says nothing of the cause).
 */
class ProblemsTest {

    @Test
    void aProblemDocumentHasTypeTitleStatusDetailErrorsAndExtensions() {
        Problem problem = new Problem(ProblemType.VALIDATION, "see errors",
                List.of(new FieldError("items[0].sku", "is required")), Map.of())
                .with("orderId", "o-1")
                .with("refundableMinor", 300);
        JsonObject json = json(problem.toJsonBytes());
        assertThat("type is a URI", json.getString("type"), is("https://meshshop.dev/problems/validation"));
        assertThat("title", json.getString("title"), is(ProblemType.VALIDATION.title()));
        assertThat("status", json.getInt("status"), is(400));
        assertThat("detail", json.getString("detail"), is("see errors"));
        assertThat("the error's field", json.getJsonArray("errors").getJsonObject(0).getString("field"), is("items[0].sku"));
        assertThat("a string extension", json.getString("orderId"), is("o-1"));
        assertThat("a number extension", json.getInt("refundableMinor"), is(300));
    }

    @Test
    void helidonsErrorsKeepTheirStatusAndA5xxIsNotEchoed() {
        assertThat("404", Problems.fromHttpException(new HttpException("gone", Status.NOT_FOUND_404)).problem().type(),
                is(ProblemType.NOT_FOUND));
        assertThat("413", Problems.fromHttpException(new HttpException("big", Status.REQUEST_ENTITY_TOO_LARGE_413))
                .problem().type(), is(ProblemType.PAYLOAD_TOO_LARGE));
        Problem teapot = Problems.fromHttpException(new HttpException("short and stout", Status.I_AM_A_TEAPOT_418)).problem();
        assertThat("another 4xx keeps its status", teapot.status(), is(418));
        assertThat("another 4xx is a bad request", teapot.type().slug(), is("bad-request"));
        assertThat("a 4xx message describes the request", teapot.detail(), is("short and stout"));
        Problem internal = Problems.fromHttpException(new HttpException("secret internals",
                Status.INTERNAL_SERVER_ERROR_500)).problem();
        assertThat("a 5xx is internal", internal.type(), is(ProblemType.INTERNAL));
        assertThat("a 5xx message is not echoed", internal.detail(), not(containsString("secret")));
    }

    @Test
    void theFailuresHelidonAnswersBeforeRoutingAreProblemsByStatus() {
        assertThat("400 keeps Helidon's message", Problems.forDirect(Status.BAD_REQUEST_400, "Bad header").detail(),
                is("Bad header"));
        assertThat("413 is payload-too-large, as Helidon reports it for an oversized body",
                Problems.forDirect(Status.REQUEST_ENTITY_TOO_LARGE_413, "x").type(), is(ProblemType.PAYLOAD_TOO_LARGE));
        Problem internal = Problems.forDirect(Status.INTERNAL_SERVER_ERROR_500, "java.lang.NullPointerException");
        assertThat("a 500 is internal", internal.type().slug(), is("internal"));
        assertThat("a 500 says only its title", internal.detail(), is(ProblemType.INTERNAL.title()));
        assertThat("another status is named by its code", Problems.forDirect(Status.REQUEST_URI_TOO_LONG_414, "x").type().slug(),
                is("http-414"));
    }

    @Test
    void aClientThatBrokeItsRequestIsTheClientsFault() {
        assertThat("a request cut off", Problems.clientBroke(new RuntimeException(
                new DataReader.InsufficientDataAvailableException())), is(true));
        assertThat("a method with non-ASCII bytes", Problems.clientBroke(new IllegalArgumentException("bad token")),
                is(true));
        assertThat("anything else is ours", Problems.clientBroke(new IllegalStateException("bug")), is(false));
    }

    @Test
    void anUnreachableDatabaseIs503WithRetryAfterAndAnythingElse500() {
        for (Throwable down : List.of(new SQLTransientConnectionException("pool timeout"),
                new RuntimeException(new SQLException("refused", "08001")), new RuntimeException(new ConnectException()))) {
            ProblemException answer = Problems.forUnexpected(down);
            assertThat(down + " is 503", answer.problem().status(), is(503));
            assertThat(down + " has Retry-After", answer.retryAfterSeconds().orElse(0), is(Problems.RETRY_AFTER_SECONDS));
        }
        ProblemException bug = Problems.forUnexpected(new NullPointerException("field x of secret"));
        assertThat("a bug is 500", bug.problem().status(), is(500));
        assertThat("without Retry-After", bug.retryAfterSeconds().isPresent(), is(false));
        assertThat("saying nothing of the cause", bug.problem().detail(), not(containsString("secret")));
    }

    @Test
    void problemExceptionsCarryTheirHeadersAndAValidationShortcut() {
        ProblemException e = ProblemException.invalid("orderId", "must be a UUID");
        assertThat("400", e.problem().status(), is(400));
        assertThat("one error naming the field", e.problem().errors(), is(List.of(new FieldError("orderId", "must be a UUID"))));
        assertThat("not found names the thing", ProblemException.notFound("Order 1").problem().detail(),
                is("Order 1 does not exist"));
        assertThat("no stack trace is kept: problems are answers, not bugs", e.getStackTrace().length, is(0));
    }

    private static JsonObject json(byte[] bytes) {
        try (JsonReader reader = Json.createReader(new StringReader(new String(bytes, StandardCharsets.UTF_8)))) {
            return reader.readObject();
        }
    }
}
