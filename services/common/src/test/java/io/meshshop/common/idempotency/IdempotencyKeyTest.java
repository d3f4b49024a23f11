package io.meshshop.common.idempotency;

import io.meshshop.common.problem.ProblemException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Idempotency-Key header: a Structured Field string or a bare token of printable ASCII, 1 to 255 characters. */
class IdempotencyKeyTest {

    @Test
    void aBareTokenAndAQuotedStringAreTheSameKey() {
        assertThat("a bare token", IdempotencyKey.parse("checkout-42").value(), is("checkout-42"));
        assertThat("a quoted sf-string", IdempotencyKey.parse("\"checkout-42\"").value(), is("checkout-42"));
        assertThat("surrounding white space is not part of the key", IdempotencyKey.parse("  abc  ").value(), is("abc"));
    }

    @Test
    void aQuotedStringMayHoldSpacesAndEscapedQuotes() {
        assertThat("a space inside quotes", IdempotencyKey.parse("\"a b\"").value(), is("a b"));
        assertThat("escaped quote and backslash", IdempotencyKey.parse("\"a\\\"b\\\\c\"").value(), is("a\"b\\c"));
    }

    @Test
    void theLengthIsOneTo255() {
        assertThat("255 characters", IdempotencyKey.parse("k".repeat(255)).value().length(), is(255));
        assertThat("256 characters", slug("k".repeat(256)), is("invalid-idempotency-key"));
        assertThat("256 characters quoted", slug("\"" + "k".repeat(256) + "\""), is("invalid-idempotency-key"));
    }

    @ParameterizedTest(name = "<{0}>")
    @ValueSource(strings = {"", "\"\"", "has space", "quote\"inside", "back\\slash", "\"unterminated", "\"bad\\escape\"",
        "\"un\"escaped\"", "\"ends in escape\\\"", "caf\u00e9", "tab\there"})
    void malformedKeysAre400(String header) {
        assertThat("<" + header + "> is refused", slug(header), is("invalid-idempotency-key"));
    }

    private static String slug(String header) {
        return assertThrows(ProblemException.class, () -> IdempotencyKey.parse(header), "parse refuses <" + header + ">")
                .problem().type().slug();
    }
}
