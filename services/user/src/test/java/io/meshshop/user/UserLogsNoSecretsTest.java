package io.meshshop.user;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.TestDatabases;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Passwords, tokens and e-mail addresses never reach the log: the whole JUL output (stack traces included, the
 * access log switched on, every logger at ALL except those the shipped logging.properties pins) is captured
 * while a customer signs up, signs in, uses the token, fails to sign in, is throttled, and sends a weak password
 * and a broken token.
 */
@ServerTest
class UserLogsNoSecretsTest {

    private static final Path KEYS = TestCustomers.newKeyFile();

    private final String base;

    UserLogsNoSecretsTest(WebServer server) {
        this.base = "http://localhost:" + server.port();
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        Map<String, String> settings = TestCustomers.settings(KEYS);
        settings.put("access-log.enabled", "true");
        settings.put("auth.sign-in.max-failures", "1");
        Main.setupServer(server, TestDatabases.h2("user", settings), new GracefulShutdown());
    }

    @Test
    void passwordsTokensAndEmailAddressesNeverReachTheLog() {
        String email = "secret-" + UUID.randomUUID() + "@example.com";
        String password = "the password " + UUID.randomUUID();
        String wrongPassword = "a wrong password " + UUID.randomUUID();
        String weakPassword = "passwordpassword";
        String token;

        Capture log = Capture.start();
        try {
            assertThat(TestCustomers.register(base, "Secret", email, password, "Idempotency-Key", "k-" + UUID.randomUUID())
                    .status(), is(201));
            token = TestCustomers.signIn(base, email, password);
            assertThat(Answer.of(HttpCalls.send("GET", base + "/api/users/me", null,
                    "Authorization", "Bearer " + token)).status(), is(200));
            assertThat(Answer.of(HttpCalls.send("PUT", base + "/api/users/me", "{\"name\":\"Changed\"}",
                    "Authorization", "Bearer " + token, "Idempotency-Key", "k-" + UUID.randomUUID())).status(), is(200));
            assertThat(TestCustomers.attemptSignIn(base, email, wrongPassword).status(), is(401));
            assertThat("throttled after one failure here", TestCustomers.attemptSignIn(base, email, password).status(),
                    is(429));
            assertThat(TestCustomers.register(base, "Weak", "weak-" + email, weakPassword).status(), is(400));
            assertThat("a broken token", Answer.of(HttpCalls.send("GET", base + "/api/users/me", null,
                    "Authorization", "Bearer " + token + "x")).status(), is(401));
            assertThat(Answer.of(HttpCalls.send("GET", base + "/api/users?email=" + email, null,
                    "Authorization", "Bearer " + token)).status(), is(403));
        } finally {
            log.stop();
        }

        String text = log.text();
        assertThat("the capture saw the requests (access log)", text, containsString("/api/sessions"));
        String signature = token.substring(token.lastIndexOf('.') + 1);
        String claims = token.split("\\.")[1];
        for (String secret : List.of(password, wrongPassword, weakPassword, token, signature, claims, email,
                email.substring(0, email.indexOf('@')))) {
            assertThat("the log must not contain " + secret, text, not(containsString(secret)));
        }
    }

    /** Every record of every logger, formatted as the console would, with stack traces. */
    private static final class Capture extends Handler {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private final SimpleFormatter formatter = new SimpleFormatter();
        private Level rootLevel;

        /** Held here: JUL keeps loggers weakly, and a collected one would forget the level set on it. */
        private final List<Logger> pinned = new ArrayList<>();

        static Capture start() {
            Capture capture = new Capture();
            capture.setLevel(Level.ALL);
            capture.pinAsShipped();
            Logger root = Logger.getLogger("");
            capture.rootLevel = root.getLevel();
            root.addHandler(capture);
            root.setLevel(Level.ALL);
            return capture;
        }

        /** The named loggers' levels from the service's logging.properties; the root's is replaced by ALL. */
        private void pinAsShipped() {
            Properties shipped = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/logging.properties")) {
                shipped.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            shipped.stringPropertyNames().stream()
                    .filter(key -> key.endsWith(".level") && !key.equals(".level"))
                    .forEach(key -> {
                        Logger logger = Logger.getLogger(key.substring(0, key.length() - ".level".length()));
                        logger.setLevel(Level.parse(shipped.getProperty(key)));
                        pinned.add(logger);
                    });
            assertThat("the transport and statement loggers are pinned", pinned.stream().map(Logger::getName).toList(),
                    hasItems("io.helidon.webserver.http1.Http1LoggingConnectionListener", "io.helidon.dbclient"));
        }

        void stop() {
            Logger root = Logger.getLogger("");
            root.removeHandler(this);
            root.setLevel(rootLevel);
            pinned.forEach(logger -> logger.setLevel(null));
        }

        String text() {
            return String.join("\n", lines);
        }

        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(formatter.format(record));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    line.append(' ').append(parameter);
                }
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            lines.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
