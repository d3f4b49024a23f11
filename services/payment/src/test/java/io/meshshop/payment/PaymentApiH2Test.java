package io.meshshop.payment;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

@ServerTest
class PaymentApiH2Test extends PaymentApiContract {

    private static Config config;

    PaymentApiH2Test(WebServer server) {
        super(server, config);
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        config = TestDatabases.h2("payment");
        Main.setupServer(server, config, new GracefulShutdown());
    }
}
