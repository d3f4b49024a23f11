package io.meshshop.user.domain;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * E-mail syntax as the WHATWG HTML standard defines a valid e-mail address (what browsers accept in
 * {@code <input type=email>}), at most 254 characters, normalised to lower case.
 */
public final class EmailAddress {

    public static final int MAX_LENGTH = 254;
    private static final Pattern VALID = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    private EmailAddress() {
    }

    /** The normalised address, or empty when {@code raw} is not a valid address. */
    public static Optional<String> normalise(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String trimmed = raw.strip();
        if (trimmed.length() > MAX_LENGTH || !VALID.matcher(trimmed).matches()) {
            return Optional.empty();
        }
        return Optional.of(trimmed.toLowerCase(Locale.ROOT));
    }
}
