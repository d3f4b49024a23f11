package io.meshshop.common.json;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import io.meshshop.common.problem.FieldError;
import io.meshshop.common.problem.ProblemException;

/**
 * UUIDs in their canonical 8-4-4-4-12 form only: {@link UUID#fromString} also accepts "1-2-3-4-5",
 * which would give one resource two names.
 */
public final class Ids {

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Ids() {
    }

    public static Optional<UUID> parseUuid(String text) {
        if (text == null || !CANONICAL.matcher(text).matches()) {
            return Optional.empty();
        }
        return Optional.of(UUID.fromString(text.toLowerCase(Locale.ROOT)));
    }

    /** A path parameter that must be a UUID; anything else is a 400, not a 404. */
    public static UUID pathUuid(String name, String text) {
        return parseUuid(text).orElseThrow(() -> ProblemException.validation(
                java.util.List.of(new FieldError(name, "must be a UUID"))));
    }
}
