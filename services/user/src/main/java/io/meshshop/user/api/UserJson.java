package io.meshshop.user.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.json.JsonInput;
import io.meshshop.user.domain.EmailAddress;
import io.meshshop.user.domain.Passwords;
import io.meshshop.user.domain.User;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/** The JSON shapes of the user API. */
final class UserJson {

    static final int NAME_MAX = 200;

    private UserJson() {
    }

    /** Body of {@code POST /api/users}. */
    record Registration(String name, String email, String password) {
        static Registration from(JsonInput in) {
            String name = in.requiredString("name", 1, NAME_MAX);
            String email = readEmail(in, true).orElse(null);
            String password = readPassword(in);
            if (password != null) {
                Passwords.problem(password, email).ifPresent(problem -> in.error("password", problem));
            }
            in.validate();
            return new Registration(name, email, password);
        }

        /**
         * What the Idempotency-Key fingerprint covers: the registration without its password. The fingerprint
         * is a plain SHA-256 kept for a day in the idempotency table; with the password in it, that table would
         * hold a fast, unsalted hash of every new password, which an attacker who reads the table could test
         * guesses against, undoing the Argon2id. The cost: the same key with the same name and e-mail but
         * another password replays the first answer, and the account keeps the first password.
         */
        byte[] fingerprintBody() {
            return JsonFactories.object().add("name", name).add("email", email).build().toString()
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Body of {@code POST /api/sessions}. */
    record Credentials(String email, String password) {
        static Credentials from(JsonInput in) {
            String email = readEmail(in, true).orElse(null);
            String password = readPassword(in);
            if (password != null && Passwords.tooLongToExist(password)) {
                in.error("password", "must be at most " + Passwords.MAX_LENGTH + " characters");
            }
            in.validate();
            return new Credentials(email, password);
        }
    }

    /** Body of {@code PUT /api/users/{id}}: a new name, and optionally a new e-mail address. */
    record Change(String name, Optional<String> email) {
        static Change from(JsonInput in) {
            String name = in.requiredString("name", 1, NAME_MAX);
            Optional<String> email = readEmail(in, false);
            in.validate();
            return new Change(name, email);
        }
    }

    static JsonObject user(User user) {
        return JsonFactories.object()
                .add("id", user.id().toString())
                .add("name", user.name())
                .add("email", user.email())
                .add("createdAt", user.createdAt().toString())
                .build();
    }

    static JsonObject accessToken(String token, long expiresInSeconds) {
        return JsonFactories.object()
                .add("accessToken", token)
                .add("tokenType", "Bearer")
                .add("expiresIn", expiresInSeconds)
                .build();
    }

    static JsonObject list(List<User> users, String next) {
        JsonArrayBuilder items = JsonFactories.array();
        users.forEach(u -> items.add(user(u)));
        JsonObjectBuilder page = JsonFactories.object().add("items", items);
        if (next != null) {
            page.add("next", next);
        }
        return page.build();
    }

    /**
     * A required string; the rules for new passwords are {@link Passwords}'. The length bound here is only the
     * body's: Passwords counts characters after normalisation.
     */
    private static String readPassword(JsonInput in) {
        return in.requiredString("password", 1, JsonInput.MAX_BODY_BYTES);
    }

    private static Optional<String> readEmail(JsonInput in, boolean required) {
        Optional<String> raw = required
                ? Optional.ofNullable(in.requiredString("email", 3, EmailAddress.MAX_LENGTH))
                : in.optionalString("email", 3, EmailAddress.MAX_LENGTH);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> normalised = EmailAddress.normalise(raw.get());
        if (normalised.isEmpty()) {
            in.error("email", "must be a valid e-mail address");
        }
        return normalised;
    }
}
