package io.meshshop.user.domain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The rules for a new password, as NIST SP 800-63B rev. 4 (section 3.1.1.2) sets them for passwords that
 * are the only factor: at least 15 characters, at most 256 (we accept at least the 64 it requires), any
 * Unicode characters, no composition rules (no "one digit, one symbol"), and refused when it is on a list of
 * commonly used passwords. Characters are code points after NFKC normalisation, which the guideline asks
 * for so that the same password typed as composed or decomposed characters is one password.
 *
 * <p>Like every string field, the password arrives with leading and trailing white space removed and
 * control characters refused (the shared JSON reader does that), at registration and at sign-in alike;
 * the guideline allows removing such white space as an allowance for mistyping.
 */
public final class Passwords {

    public static final int MIN_LENGTH = 15;
    public static final int MAX_LENGTH = 256;
    /**
     * Input longer than this is refused before it is normalised: NFKC can compose a few code points into
     * one but no more, so such input could never come under the maximum, and the bound keeps the work of
     * normalising (which can also expand a string manyfold) small.
     */
    static final int MAX_RAW_LENGTH = 4 * MAX_LENGTH;
    private static final Set<String> BLOCKLIST = load("common-passwords.txt");

    private Passwords() {
    }

    /** The form a password is hashed in: NFKC, so composed and decomposed input are the same password. */
    public static String normalise(String password) {
        return Normalizer.normalize(password, Normalizer.Form.NFKC);
    }

    /**
     * Why a new password is refused, or empty when it is acceptable. The message never repeats the password.
     *
     * @param email the normalised e-mail address it is for, which must not double as the password
     */
    public static Optional<String> problem(String password, String email) {
        if (password.codePointCount(0, password.length()) > MAX_RAW_LENGTH) {
            return Optional.of(lengthMessage());
        }
        String normalised = normalise(password);
        int length = normalised.codePointCount(0, normalised.length());
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            return Optional.of(lengthMessage());
        }
        String folded = normalised.toLowerCase(Locale.ROOT);
        if (BLOCKLIST.contains(folded) || folded.codePoints().distinct().count() == 1
            || folded.equals(email)) {
            return Optional.of("is too easy to guess (a commonly used password, one repeated character or the "
                               + "e-mail address); choose another");
        }
        return Optional.empty();
    }

    /** True if a password given at sign-in cannot be a stored one because it is too long to have been accepted. */
    public static boolean tooLongToExist(String password) {
        if (password.codePointCount(0, password.length()) > MAX_RAW_LENGTH) {
            return true;
        }
        String normalised = normalise(password);
        return normalised.codePointCount(0, normalised.length()) > MAX_LENGTH;
    }

    private static String lengthMessage() {
        return "must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters";
    }

    /** The committed list, lower-cased; entries shorter than the minimum are refused by length anyway. */
    private static Set<String> load(String resource) {
        Set<String> entries = new HashSet<>();
        try (InputStream in = Passwords.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The password blocklist " + resource + " is missing from the jar");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String entry = line.strip();
                if (!entry.isEmpty() && !entry.startsWith("#")) {
                    entries.add(normalise(entry).toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(entries);
    }
}
