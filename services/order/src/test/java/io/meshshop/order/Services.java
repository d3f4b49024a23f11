package io.meshshop.order;

import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.OwnResources;

import java.util.HashMap;
import java.util.Map;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/**
 * The real user and payment services, each on its own fresh database (H2 or PostgreSQL), started
 * in-process from their own {@code Main.setupServer}, each behind a {@link TestProxy} that order calls.
 */
final class Services implements AutoCloseable {

    final boolean postgres;
    final WebServer user;
    final WebServer payment;
    final TestProxy userProxy;
    final TestProxy paymentProxy;

    private Services(boolean postgres) {
        this.postgres = postgres;
        this.user = OwnResources.of(io.meshshop.user.Main.class, () -> io.meshshop.user.Main.setupServer(
                WebServer.builder(), database("user", Map.of()), new GracefulShutdown()).build().start());
        this.payment = OwnResources.of(io.meshshop.payment.Main.class, () -> io.meshshop.payment.Main.setupServer(
                WebServer.builder(), database("payment", Map.of()), new GracefulShutdown()).build().start());
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
        settings.put("user.service.timeout.read", "PT2S");
        settings.put("payment.service.timeout.read", "PT2S");
        settings.put("recovery.interval", "PT0.1S");
        settings.put("recovery.age", "PT0.3S");
        settings.put("recovery.lease", "PT5S");
        return OwnResources.of(Main.class, () -> dbSettings.isEmpty() ? database("order", settings)
                : TestDatabases.serviceConfig(settings));
    }

    /** Builds order's server config with its own resources. */
    WebServerConfig.Builder setUpOrder(WebServerConfig.Builder server, Config config) {
        return OwnResources.of(Main.class, () -> Main.setupServer(server, config, new GracefulShutdown()));
    }

    /** Starts an extra order instance (for the two-instance tests). */
    WebServer startOrder(Config config) {
        return OwnResources.of(Main.class, () -> setUpOrder(WebServer.builder(), config).build().start());
    }

    /** Registers a user with the user service directly and answers its id. */
    String registerUser(String name) {
        String email = java.util.UUID.randomUUID() + "@example.com";
        var created = HttpCalls.send("POST", userUrl() + "/api/users",
                "{\"name\":\"" + name + "\",\"email\":\"" + email + "\"}");
        if (created.statusCode() != 201) {
            throw new AssertionError("user registration failed: " + created.statusCode() + " " + created.body());
        }
        return Answer.of(created).json().getString("id");
    }

    private Config database(String service, Map<String, String> overrides) {
        return postgres ? TestDatabases.postgres(service, overrides) : TestDatabases.h2(service, overrides);
    }

    @Override
    public void close() {
        userProxy.close();
        paymentProxy.close();
        user.stop();
        payment.stop();
    }
}
