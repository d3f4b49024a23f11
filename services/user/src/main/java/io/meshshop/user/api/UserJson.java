package io.meshshop.user.api;

import java.util.List;
import java.util.Optional;

import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.json.JsonInput;
import io.meshshop.user.domain.EmailAddress;
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
    record Registration(String name, String email) {
        static Registration from(JsonInput in) {
            String name = in.requiredString("name", 1, NAME_MAX);
            String email = readEmail(in, true).orElse(null);
            in.validate();
            return new Registration(name, email);
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

    static JsonObject list(List<User> users, String next) {
        JsonArrayBuilder items = JsonFactories.array();
        users.forEach(u -> items.add(user(u)));
        JsonObjectBuilder page = JsonFactories.object().add("items", items);
        if (next != null) {
            page.add("next", next);
        }
        return page.build();
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
