package io.meshshop.user;

import java.nio.file.Path;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

@ServerTest
class UserApiH2Test extends UserApiContract {

    private static final Path KEYS = TestCustomers.newKeyFile();

    UserApiH2Test(WebServer server) {
        super(server, KEYS);
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        Main.setupServer(server, TestDatabases.h2("user", TestCustomers.settings(KEYS)), new GracefulShutdown());
    }
}
