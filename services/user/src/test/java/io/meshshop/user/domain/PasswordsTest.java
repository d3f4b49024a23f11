package io.meshshop.user.domain;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** NIST SP 800-63B rev. 4 rules: length in code points after NFKC, no composition rules, a blocklist. */
class PasswordsTest {

    private static final String EMAIL = "ada@example.com";

    @ParameterizedTest
    @ValueSource(strings = {
            "fifteen chars!!",                               // exactly 15
            "all lower case letters only",                   // no composition rules
            "123987456321789",                               // digits only, not on the list
            "пароль из кириллицы",                           // any Unicode
            "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😃",                   // 15 code points, 30 UTF-16 units
    })
    void acceptable(String password) {
        assertThat("accepted: " + password, Passwords.problem(password, EMAIL), is(Optional.empty()));
    }

    @Test
    void lengthIsCountedInCodePointsAfterNfkc() {
        assertThat("14 characters", Passwords.problem("fourteen chars", EMAIL).isPresent(), is(true));
        // U+FB01 (the "fi" ligature) is one code point that NFKC turns into two: 14 typed, 15 counted.
        assertThat("the ligature counts as two after NFKC", Passwords.problem("\uFB01fteen chars!!", EMAIL), is(Optional.empty()));
        // Seven emoji and a letter are 15 UTF-16 units but 8 characters.
        assertThat("UTF-16 units are not characters", Passwords.problem("😀".repeat(7) + "a", EMAIL).isPresent(), is(true));
        assertThat("256 is the maximum", Passwords.problem("ab".repeat(128), EMAIL), is(Optional.empty()));
        assertThat("257 is too long", Passwords.problem("ab".repeat(128) + "c", EMAIL).orElseThrow(),
                containsString("15 to 256"));
        assertThat("huge input is refused before normalising", Passwords.problem("x".repeat(100_000) + "y", EMAIL)
                .orElseThrow(), containsString("15 to 256"));
    }

    @Test
    void composedAndDecomposedAndFullWidthAreOnePassword() {
        String composed = "caf\u00e9 au lait, s'il vous pla\u00eet";
        String decomposed = "cafe\u0301 au lait, s'il vous plai\u0302t";
        assertThat(Passwords.normalise(decomposed), is(Passwords.normalise(composed)));
        assertThat(Passwords.normalise("\uFF23\uFF4F\uFF52\uFF52\uFF45\uFF43\uFF54"), is("Correct"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"passwordpassword", "PasswordPassword", "123456789012345", "qwertyuiopasdfgh",
            "\uFF51\uFF57\uFF45\uFF52\uFF54\uFF59\uFF55\uFF49\uFF4F\uFF50\uFF41\uFF53\uFF44\uFF46\uFF47\uFF48",
            "aaaaaaaaaaaaaaaaaaaa", "ADA@EXAMPLE.COM", "correcthorsebatterystaple"})
    void commonRepeatedOrTheEmailAreRefused(String password) {
        String problem = Passwords.problem(password, EMAIL).orElseThrow(() -> new AssertionError("refused: " + password));
        assertThat(problem, containsString("too easy to guess"));
        assertThat("the message never repeats the password", problem, not(containsString(password)));
    }

    @Test
    void tooLongToExistAtSignIn() {
        assertThat(Passwords.tooLongToExist("a".repeat(256)), is(false));
        assertThat(Passwords.tooLongToExist("a".repeat(257)), is(true));
        assertThat(Passwords.tooLongToExist("a".repeat(1)), is(false));
    }
}
