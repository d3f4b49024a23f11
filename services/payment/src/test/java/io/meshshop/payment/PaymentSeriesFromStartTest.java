package io.meshshop.payment;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.CounterBaseline;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import org.junit.jupiter.api.Test;

/**
 * The payment and refund outcome series exist at zero before the first payment (a new series' first events are
 * lost to rate(), and the decline share is a ratio of these series): on the first scrape of a fresh server,
 * which is its first request, and still after an unrelated one (RequestMetrics fills the registry on the first
 * request). One test on its own server: any request before the first scrape would defeat it. Zero is what a
 * service's own process shows; here the series show what earlier servers of this test JVM counted (CounterBaseline).
 */
@ServerTest
class PaymentSeriesFromStartTest {

    private static CounterBaseline payments;
    private static CounterBaseline refunds;

    private final String base;

    PaymentSeriesFromStartTest(WebServer server) {
        this.base = "http://localhost:" + server.port();
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        payments = CounterBaseline.take("meshshop.payments", "outcome", "captured", "declined");
        refunds = CounterBaseline.take("meshshop.refunds", "outcome", "refunded", "rejected");
        Main.setupServer(server, TestDatabases.h2("payment"), new GracefulShutdown());
    }

    @Test
    void outcomeSeriesExistAtZeroFromTheFirstScrape() {
        CounterBaseline.assertUnchangedFromTheFirstScrape(base, payments, refunds);
    }
}
