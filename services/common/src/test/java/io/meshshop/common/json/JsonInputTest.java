package io.meshshop.common.json;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import io.meshshop.common.problem.FieldError;
import io.meshshop.common.problem.ProblemException;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The strict reading of request bodies, without a server: what is refused, and how errors are collected. */
class JsonInputTest {

    @ParameterizedTest(name = "<{0}>")
    @ValueSource(strings = {
        "{\"a\":1}x",                 // trailing content after the value
        "{\"a\":1}{\"a\":2}",         // two values
        "{\"a\":1,\"a\":2}",          // a duplicate key
        "{\"a\":",                    // cut off
        "[1,2]",                      // not an object
        "\"text\"",                   // not an object
        "",                           // nothing
        "{a:1}"                       // not JSON
    })
    void malformedBodiesAreMalformedJson(String body) {
        assertThat("<" + body + "> is malformed JSON", problem(body.getBytes(StandardCharsets.UTF_8)),
                is("malformed-json"));
    }

    @Test
    void nestingDeeperThan32IsRefusedAndInvalidUtf8Too() {
        String deep = "{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}";
        assertThat("40 levels of nesting", problem(deep.getBytes(StandardCharsets.UTF_8)), is("malformed-json"));
        String shallow = "{\"a\":" + "[".repeat(20) + "]".repeat(20) + "}";
        assertThat("20 levels are fine", JsonInput.parse(shallow.getBytes(StandardCharsets.UTF_8)).rawBody().length,
                is(shallow.length()));
        byte[] latin1 = "{\"a\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThat("a Latin-1 byte is not UTF-8", problem(latin1), is("malformed-json"));
    }

    @Test
    void everyErrorIsCollectedBeforeTheAnswerUnknownFieldsIncluded() {
        JsonInput in = input("{\"name\":\"  \",\"amount\":1.5,\"id\":\"1-2-3-4-5\",\"extra\":true,\"currency\":\"eur\"}");
        in.requiredString("name", 1, 10);
        in.requiredLong("amount", 1, 100);
        in.requiredUuid("id");
        in.requiredCurrency("currency");
        in.requiredString("missing", 1, 10);
        ProblemException refused = assertThrows(ProblemException.class, in::validate, "validate() throws");
        assertThat("the problem type", refused.problem().type().slug(), is("validation"));
        assertThat("one error per field, the unknown one included",
                refused.problem().errors().stream().map(FieldError::field).toList(),
                containsInAnyOrder("name", "amount", "id", "currency", "missing", "extra"));
    }

    @Test
    void integersAreExactAndBounded() {
        assertThat("in range", input("{\"n\":42}").requiredLong("n", 1, 100), is(42L));
        for (String bad : List.of("0", "101", "1.5", "100.0", "1e999999999", "99999999999999999999999", "\"5\"", "true")) {
            JsonInput in = input("{\"n\":" + bad + "}");
            in.requiredLong("n", 1, 100);
            assertThat(bad + " is refused", errors(in), contains("n"));
        }
    }

    @Test
    void stringsAreTrimmedAndCountedInCodePoints() {
        assertThat("trimmed", input("{\"s\":\"  Ada  \"}").requiredString("s", 1, 3), is("Ada"));
        assertThat("two emoji are two characters", input("{\"s\":\"\uD83D\uDE00\uD83D\uDE00\"}").requiredString("s", 2, 2),
                is("\uD83D\uDE00\uD83D\uDE00"));
        JsonInput control = input("{\"s\":\"a\\u0007b\"}");
        control.requiredString("s", 1, 10);
        assertThat("a control character is refused", errors(control), contains("s"));
        JsonInput number = input("{\"s\":5}");
        number.requiredString("s", 1, 10);
        assertThat("a number is not a string", errors(number), contains("s"));
        assertThat("an absent optional string", input("{}").optionalString("s", 1, 10).isPresent(), is(false));
    }

    @Test
    void idsAndCurrenciesMustBeCanonical() {
        UUID id = UUID.randomUUID();
        assertThat("a canonical UUID", input("{\"id\":\"" + id + "\"}").requiredUuid("id"), is(id));
        assertThat("a known currency", input("{\"c\":\"JPY\"}").requiredCurrency("c"), is("JPY"));
        JsonInput unknown = input("{\"c\":\"ABC\"}");
        assertThat("an unknown currency", unknown.requiredCurrency("c"), nullValue());
        assertThat("an unknown currency is an error", errors(unknown), contains("c"));
    }

    @Test
    void nestedObjectsReportTheirFieldsWithTheirPrefix() {
        JsonInput in = input("{\"items\":[{\"sku\":\"A\",\"colour\":\"red\"}]}");
        JsonArray items = in.requiredArray("items", 1, 5);
        JsonInput line = in.nested((JsonObject) items.getFirst(), "items[0].");
        line.requiredString("sku", 1, 10);
        line.requiredLong("quantity", 1, 10);
        line.rejectUnknownFields();
        assertThat("the line's errors, named by their path", errors(in), contains("items[0].quantity", "items[0].colour"));
        JsonInput tooMany = input("{\"items\":[1,2,3]}");
        tooMany.requiredArray("items", 1, 2);
        assertThat("an array over its bound", errors(tooMany), contains("items"));
    }

    @Test
    void theRawBodyIsKeptForTheFingerprint() {
        byte[] body = "{ \"a\" : 1 }".getBytes(StandardCharsets.UTF_8);
        JsonInput in = JsonInput.parse(body);
        assertThat("the bytes as received", new String(in.rawBody(), StandardCharsets.UTF_8), is("{ \"a\" : 1 }"));
        in.rawBody()[0] = 'x';
        assertThat("a copy each time", in.rawBody()[0], is((byte) '{'));
    }

    private static JsonInput input(String json) {
        return JsonInput.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String problem(byte[] body) {
        return assertThrows(ProblemException.class, () -> JsonInput.parse(body), "parse refuses the body")
                .problem().type().slug();
    }

    /** The fields validate() names, in order; empty when it passes. */
    private static List<String> errors(JsonInput in) {
        try {
            in.validate();
            return List.of();
        } catch (ProblemException e) {
            return e.problem().errors().stream().map(FieldError::field).toList();
        }
    }
}
