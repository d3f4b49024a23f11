package io.meshshop.systemtests;

import java.util.UUID;

import jakarta.json.Json;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A customer the system tests sign up and in, as a client does: {@code POST /api/users} with a password,
 * then {@code POST /api/sessions} for a bearer token that every protected call carries.
 *
 * @param id    the user id
 * @param token the access token
 */
record Customer(String id, String email, String password, String token) {

    /** Signs a new customer up at {@code userUrl} and in; fails the test on any other answer than 201 and 200. */
    static Customer signUp(String userUrl, String name, String email, String password, String... headers) {
        String body = Json.createObjectBuilder().add("name", name).add("email", email).add("password", password).build()
                .toString();
        String[] all = new String[headers.length + 2];
        all[0] = "Idempotency-Key";
        all[1] = UUID.randomUUID().toString();
        System.arraycopy(headers, 0, all, 2, headers.length);
        Http.Answer created = Http.postJson(userUrl + "/api/users", body, all);
        assertEquals(201, created.status(), "sign-up: " + created.body());
        Http.Answer session = signIn(userUrl, email, password);
        assertEquals(200, session.status(), "sign-in: " + session.status());
        return new Customer(created.json().getString("id"), email, password, session.json().getString("accessToken"));
    }

    /** A customer with a fresh e-mail address and password. */
    static Customer signUp(String userUrl, String name) {
        return signUp(userUrl, name, "st-" + UUID.randomUUID() + "@example.com", "st-" + UUID.randomUUID());
    }

    /** {@code POST /api/sessions}. */
    static Http.Answer signIn(String userUrl, String email, String password, String... headers) {
        return Http.postJson(userUrl + "/api/sessions",
                Json.createObjectBuilder().add("email", email).add("password", password).build().toString(), headers);
    }

    /** The header pair for {@link Http}'s header arguments. */
    String[] bearer() {
        return new String[] {"Authorization", "Bearer " + token};
    }

    /** Never the password or the token: a failure message may print a customer. */
    @Override
    public String toString() {
        return "customer " + id;
    }
}
