package io.meshshop.user;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.HttpCalls;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Customers as the tests make them: signed up and signed in over HTTP, and the auth settings of test servers. */
final class TestCustomers {

    /** Configured as an admin address on every test server; it still signs up and in like anyone. */
    static final String ADMIN_EMAIL = "admin@meshshop.test";
    /** Long enough, not on the blocklist; every test customer has it unless a test says otherwise. */
    static final String PASSWORD = "a test password, long enough";

    private static final Map<String, Customer> ADMINS = new ConcurrentHashMap<>();

    private TestCustomers() {
    }

    /** A customer: the registered user and a token of theirs. */
    record Customer(String id, String email, String password, String token) {
        /** The header pair for {@link HttpCalls#send}. */
        String[] bearer() {
            return new String[] {"Authorization", "Bearer " + token};
        }
    }

    /** A path for a signing key file that does not exist yet, in a directory deleted when the JVM exits. */
    static Path newKeyFile() {
        try {
            Path dir = Files.createTempDirectory("user-signing-keys");
            Path file = dir.resolve("jwks.json");
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Test server settings: a key file created at start and the admin address. The suites share two cores
     * with other builds, and their bursts of 20 to 40 concurrent requests meet pools that are still growing,
     * so a request waits long for a hashing slot or a connection rather than being answered 503: these tests
     * are about outcomes, and the 503s after the short waits the service ships with are tested on their own
     * (HashingSlotsTest, UserDatabaseOutagePostgresTest).
     */
    static Map<String, String> settings(Path keyFile) {
        Map<String, String> settings = new HashMap<>();
        settings.put("auth.signing-keys", keyFile.toString());
        settings.put("auth.generate-signing-keys", "true");
        settings.put("auth.admin-emails", ADMIN_EMAIL);
        settings.put("auth.password-hashing.max-wait", "PT10S");
        settings.put("db.pool.timeout", "PT10S");
        return settings;
    }

    /** Registers a user with {@link #PASSWORD} and signs them in. */
    static Customer signUp(String base, String name, String email) {
        Answer registered = register(base, name, email, PASSWORD);
        assertThat("registering " + name + ": " + registered.raw().body(), registered.status(), is(201));
        return new Customer(registered.json().getString("id"), registered.json().getString("email"), PASSWORD,
                signIn(base, email, PASSWORD));
    }

    /** A new customer with a unique address. */
    static Customer signUp(String base) {
        return signUp(base, "Customer", UUID.randomUUID() + "@example.com");
    }

    static Answer register(String base, String name, String email, String password, String... headers) {
        return Answer.of(HttpCalls.send("POST", base + "/api/users", "{\"name\":\"" + name + "\",\"email\":\"" + email
                + "\",\"password\":\"" + password + "\"}", withKey("POST", headers)));
    }

    /** {@code headers} with a fresh Idempotency-Key added for a write (user requires one) that has none. */
    static String[] withKey(String method, String... headers) {
        if (!List.of("POST", "PUT", "DELETE").contains(method)) {
            return headers;
        }
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase("Idempotency-Key")) {
                return headers;
            }
        }
        String[] all = java.util.Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Idempotency-Key";
        all[headers.length + 1] = UUID.randomUUID().toString();
        return all;
    }

    static Answer attemptSignIn(String base, String email, String password) {
        return Answer.of(HttpCalls.send("POST", base + "/api/sessions",
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}"));
    }

    /** The access token of a successful sign-in. */
    static String signIn(String base, String email, String password) {
        Answer session = attemptSignIn(base, email, password);
        assertThat("signing in: " + session.raw().body(), session.status(), is(200));
        return session.json().getString("accessToken");
    }

    /**
     * The admin of the server at {@code base} with keys in {@code keyFile}, signed up on first use. Keyed by both:
     * a later test server may get the same port, never the same key file.
     */
    static Customer admin(String base, Path keyFile) {
        return ADMINS.computeIfAbsent(base + " " + keyFile, k -> signUp(base, "Admin", ADMIN_EMAIL));
    }
}
