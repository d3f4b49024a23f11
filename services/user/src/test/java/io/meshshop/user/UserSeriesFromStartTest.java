package io.meshshop.user;

import java.nio.file.Path;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.CounterBaseline;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import org.junit.jupiter.api.Test;

/**
 * The sign-in outcome series and the registrations counter exist at zero before their first event (a new
 * series' first events are lost to rate(), and the failed sign-in share is a ratio of these series): on the first
 * scrape of a fresh server, which is its first request, and still after an unrelated one (RequestMetrics fills
 * the registry on the first request). One test on its own server: any request before the first scrape would
 * defeat it. Zero is what a service's own process shows; here the series show what earlier servers of this test
 * JVM counted (CounterBaseline).
 */
@ServerTest
class UserSeriesFromStartTest {

    private static final Path KEYS = TestCustomers.newKeyFile();

    private static CounterBaseline signIns;
    private static CounterBaseline registrations;

    private final String base;

    UserSeriesFromStartTest(WebServer server) {
        this.base = "http://localhost:" + server.port();
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        signIns = CounterBaseline.take("meshshop.sign_ins", "outcome", "success", "invalid_credentials", "throttled");
        registrations = CounterBaseline.take("meshshop.users.registered");
        Main.setupServer(server, TestDatabases.h2("user", TestCustomers.settings(KEYS)), new GracefulShutdown());
    }

    @Test
    void signInAndRegistrationSeriesExistAtZeroFromTheFirstScrape() {
        CounterBaseline.assertUnchangedFromTheFirstScrape(base, signIns, registrations);
    }
}
