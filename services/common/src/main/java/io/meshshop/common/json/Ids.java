package io.meshshop.common.json;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.problem.ProblemException;

/**
 * UUIDs in their canonical 8-4-4-4-12 form only: {@link UUID#fromString} also accepts "1-2-3-4-5",
 * which would give one resource two names.
 */
public final class Ids {

    private Ids() {
    }

    public static Optional<UUID> parseUuid(String text) {
        if (!isCanonical(text)) {
            return Optional.empty();
        }
        return Optional.of(UUID.fromString(text.toLowerCase(Locale.ROOT)));
    }

    /** 8-4-4-4-12 hex digits; checked by hand since a regular expression was 4% of a read's CPU in the profile. */
    static boolean isCanonical(String text) {
        if (text == null || text.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0 || c > 'f') {
                return false;
            }
        }
        return true;
    }

    /** A path or query parameter that must be a UUID; anything else is a 400, not a 404. */
    public static UUID pathUuid(String name, String text) {
        return parseUuid(text).orElseThrow(() -> ProblemException.invalid(name, "must be a UUID"));
    }
}
