package io.meshshop.user;

import java.nio.file.Path;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

@ServerTest
class UserApiPostgresTest extends UserApiContract {

    private static final Path KEYS = TestCustomers.newKeyFile();

    UserApiPostgresTest(WebServer server) {
        super(server, KEYS);
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        Main.setupServer(server, TestDatabases.postgres("user", TestCustomers.settings(KEYS)), new GracefulShutdown());
    }
}
