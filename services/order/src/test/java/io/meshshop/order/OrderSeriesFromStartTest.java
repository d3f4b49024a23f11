package io.meshshop.order;

import java.util.Map;

import io.meshshop.common.testing.CounterBaseline;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The order and recovery series exist at zero before the first order (a new series' first events are lost to
 * rate(), and the pending and declined shares are ratios of these series): on the first scrape of a fresh server,
 * which is its first request, and still after an unrelated one (RequestMetrics fills the registry on the first
 * request). One test on its own server: any request before the first scrape would defeat it. Zero is what a
 * service's own process shows; here the series show what earlier servers of this test JVM counted (CounterBaseline).
 */
@ServerTest
class OrderSeriesFromStartTest {

    private static Services services;

    private static CounterBaseline orders;
    private static CounterBaseline recoveryAttempts;

    private final String base;

    OrderSeriesFromStartTest(WebServer server) {
        this.base = "http://localhost:" + server.port();
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        orders = CounterBaseline.take("meshshop.orders", "status", "paid", "payment_declined", "cancelled", "pending_accepted");
        recoveryAttempts = CounterBaseline.take("meshshop.order.recovery.attempts", "outcome", "paid", "payment_declined",
                "cancelled", "unknown", "progressed");
        services = Services.start(false);
        services.setUpOrder(server, services.orderConfig(Map.of(), services.userProxy.url(), services.paymentProxy.url()));
    }

    @AfterAll
    static void stopServices() {
        services.close();
    }

    @Test
    void orderAndRecoverySeriesExistAtZeroFromTheFirstScrape() {
        CounterBaseline.assertUnchangedFromTheFirstScrape(base, orders, recoveryAttempts);
    }
}
