package io.meshshop.user;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

@ServerTest
class UserApiPostgresTest extends UserApiContract {

    UserApiPostgresTest(WebServer server) {
        super(server);
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        Main.setupServer(server, TestDatabases.postgres("user"), new GracefulShutdown());
    }
}
