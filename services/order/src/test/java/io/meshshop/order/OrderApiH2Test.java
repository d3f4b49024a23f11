package io.meshshop.order;

import java.util.Map;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

import org.junit.jupiter.api.AfterAll;

@ServerTest
class OrderApiH2Test extends OrderApiContract {

    private static Services services;

    OrderApiH2Test(WebServer server) {
        super(server, services);
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        services = Services.start(false);
        services.setUpOrder(server, services.orderConfig(Map.of(), services.userProxy.url(), services.paymentProxy.url()));
    }

    @AfterAll
    static void stopServices() {
        services.close();
    }
}
