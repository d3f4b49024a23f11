package io.meshshop.order;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/**
 * The real user and payment services, each on its own fresh database (H2 or PostgreSQL), started
 * in-process from their own {@code Main.setupServer}, each behind a {@link TestProxy} that order calls.
 * Each service runs with the application.yaml and OpenAPI document of its own jar (TestDatabases with the
 * service's main class) and its own migrations (each names its folder), though all three share a class path.
 */
final class Services implements AutoCloseable {

    final boolean postgres;
    final WebServer user;
    final WebServer payment;
    final TestProxy userProxy;
    final TestProxy paymentProxy;

    /** A signed-in customer: the user id and the access token that user issued. */
    record Customer(String id, String token) {
        String[] bearer() {
            return new String[] {"Authorization", "Bearer " + token};
        }
    }

    /** What every customer of these tests signs up with: long enough for the user service's rules. */
    static final String PASSWORD = "correct horse battery staple";

    private Services(boolean postgres) {
        this.postgres = postgres;
        Path keys = signingKeysFile();
        this.user = io.meshshop.user.Main.setupServer(WebServer.builder(),
                database(io.meshshop.user.Main.class, "user", Map.of("auth.signing-keys", keys.toString(),
                        "auth.generate-signing-keys", "true")), new GracefulShutdown()).build().start();
        this.payment = io.meshshop.payment.Main.setupServer(WebServer.builder(),
                database(io.meshshop.payment.Main.class, "payment", Map.of()), new GracefulShutdown()).build().start();
        this.userProxy = new TestProxy(userUrl());
        this.paymentProxy = new TestProxy(paymentUrl());
    }

    static Services start(boolean postgres) {
        return new Services(postgres);
    }

    String userUrl() {
        return "http://localhost:" + user.port();
    }

    String paymentUrl() {
        return "http://localhost:" + payment.port();
    }

    /**
     * Order's config: calls through the proxies, recovery in tenths of seconds so that the suite stays fast.
     * {@code dbSettings} empty means a fresh database of this kind.
     */
    Config orderConfig(Map<String, String> dbSettings, String userUrl, String paymentUrl) {
        Map<String, String> settings = new HashMap<>(dbSettings);
        settings.put("user.service.url", userUrl);
        settings.put("payment.service.url", paymentUrl);
        // The keys straight from user, not through the proxy, so that proxy faults test the calls order makes
        // for a request and the recorded calls are only those.
        settings.put("auth.jwks.url", userUrl() + "/.well-known/jwks.json");
        settings.put("user.service.timeout.read", "PT2S");
        settings.put("payment.service.timeout.read", "PT2S");
        settings.put("recovery.interval", "PT0.1S");
        settings.put("recovery.age", "PT0.3S");
        settings.put("recovery.lease", "PT5S");
        return dbSettings.isEmpty() ? database(Main.class, "order", settings)
                : TestDatabases.serviceConfig(Main.class, settings);
    }

    WebServerConfig.Builder setUpOrder(WebServerConfig.Builder server, Config config) {
        return Main.setupServer(server, config, new GracefulShutdown());
    }

    /** Starts an extra order instance (for the two-instance tests). */
    WebServer startOrder(Config config) {
        return setUpOrder(WebServer.builder(), config).build().start();
    }

    /** Signs a new customer up and in with the user service directly. */
    Customer signUp(String name) {
        String email = UUID.randomUUID() + "@example.com";
        var created = HttpCalls.send("POST", userUrl() + "/api/users",
                "{\"name\":\"" + name + "\",\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}",
                "Idempotency-Key", UUID.randomUUID().toString());
        if (created.statusCode() != 201) {
            throw new AssertionError("user registration failed: " + created.statusCode() + " " + created.body());
        }
        var session = HttpCalls.send("POST", userUrl() + "/api/sessions",
                "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
        if (session.statusCode() != 200) {
            throw new AssertionError("sign-in failed: " + session.statusCode() + " " + session.body());
        }
        return new Customer(Answer.of(created).json().getString("id"), Answer.of(session).json().getString("accessToken"));
    }

    /** Deletes the customer at the user service: their token stays valid until it expires. */
    void deleteUser(Customer customer) {
        var deleted = HttpCalls.send("DELETE", userUrl() + "/api/users/me", null, "Authorization",
                "Bearer " + customer.token(), "Idempotency-Key", UUID.randomUUID().toString());
        if (deleted.statusCode() != 204) {
            throw new AssertionError("delete failed: " + deleted.statusCode() + " " + deleted.body());
        }
    }

    private static Path signingKeysFile() {
        try {
            Path dir = Files.createTempDirectory("meshshop-keys");
            return dir.resolve("user-signing-keys.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The config of the service whose main class is {@code main}, on a fresh database of this kind. */
    private Config database(Class<?> main, String service, Map<String, String> overrides) {
        return postgres ? TestDatabases.postgres(main, service, overrides) : TestDatabases.h2(main, service, overrides);
    }

    @Override
    public void close() {
        userProxy.close();
        paymentProxy.close();
        user.stop();
        payment.stop();
    }
}
