package io.meshshop.user;

import io.meshshop.common.testing.Answer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.Await;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.webserver.WebServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;

/**
 * A real outage: the test database stops accepting connections and its sessions are killed. Readiness
 * must turn false, requests must answer 503 problems with Retry-After quickly (never hang, never 500),
 * and the service must recover by itself once the database is back.
 */
class UserDatabaseOutagePostgresTest {

    private static Map<String, String> database;
    private static WebServer server;
    private static String base;

    @BeforeAll
    static void start() {
        database = TestDatabases.newPostgresDatabase("user");
        Map<String, String> settings = new HashMap<>(database);
        settings.putAll(TestCustomers.settings(TestCustomers.newKeyFile()));
        // The timeout the service ships with: this test is about how fast an outage is answered.
        settings.put("db.pool.timeout", "PT0.5S");
        server = Main.setupServer(WebServer.builder(), TestDatabases.serviceConfig(settings), new GracefulShutdown())
                .build().start();
        base = "http://localhost:" + server.port();
    }

    @AfterAll
    static void stop() throws SQLException {
        setAllowConnections(true);
        server.stop();
    }

    @Test
    void outageAnswers503AndRecoversWithoutRestart() throws Exception {
        assertThat(HttpCalls.send("GET", base + "/observe/health/ready", null).statusCode(), is(200));
        TestCustomers.Customer ada = TestCustomers.signUp(base);

        setAllowConnections(false);
        try {
            long start = System.nanoTime();
            Answer during = TestCustomers.register(base, "Outage", UUID.randomUUID() + "@example.com",
                    TestCustomers.PASSWORD);
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(during.status(), is(503));
            assertThat(during.problemType(), is("database-unavailable"));
            assertThat(during.header("Retry-After"), notNullValue());
            assertThat("answers within the pool timeout, does not hang", millis, lessThan(5_000L));

            assertThat("a signed-in read", Answer.of(HttpCalls.send("GET", base + "/api/users/me", null,
                    ada.bearer())).status(), is(503));
            Answer signIn = TestCustomers.attemptSignIn(base, ada.email(), TestCustomers.PASSWORD);
            assertThat("a sign-in is 503, never taken for wrong credentials", signIn.status(), is(503));
            assertThat(signIn.problemType(), is("database-unavailable"));
            assertThat(HttpCalls.send("GET", base + "/observe/health/ready", null).statusCode(), is(503));
            assertThat("liveness stays up: a restart would not help",
                    HttpCalls.send("GET", base + "/observe/health/live", null).statusCode(), is(200));
        } finally {
            setAllowConnections(true);
        }

        Await.until("ready again without a restart", Duration.ofSeconds(10),
                () -> HttpCalls.send("GET", base + "/observe/health/ready", null).statusCode() == 200);
        assertThat(TestCustomers.register(base, "After", UUID.randomUUID() + "@example.com", TestCustomers.PASSWORD)
                .status(), is(201));
        assertThat(TestCustomers.attemptSignIn(base, ada.email(), TestCustomers.PASSWORD).status(), is(200));
    }

    private static void setAllowConnections(boolean allow) throws SQLException {
        String url = database.get("db.url");
        String name = url.substring(url.lastIndexOf('/') + 1);
        String admin = url.substring(0, url.lastIndexOf('/') + 1) + "postgres";
        try (Connection c = DriverManager.getConnection(admin, database.get("db.user"), database.get("db.password"));
             Statement sql = c.createStatement()) {
            sql.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS " + allow);
            if (!allow) {
                sql.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            }
        }
    }
}
