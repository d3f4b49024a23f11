package io.meshshop.user;

import io.meshshop.common.testing.Answer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.TestDatabases;
import io.meshshop.user.TestCustomers.Customer;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;

/**
 * Two replicas of the user service on one PostgreSQL database and one key file, as the mesh load-balances
 * them: one Idempotency-Key sent 40 times at once, half to each replica, has exactly one effect; sign-in
 * failures are counted for both together; a token of one is accepted by the other.
 */
class UserTwoInstancesPostgresTest {

    private static final List<WebServer> SERVERS = new ArrayList<>();
    private static final Path KEYS = TestCustomers.newKeyFile();

    @BeforeAll
    static void startTwoReplicas() {
        // One after the other: the first creates the key file, the second reads it.
        Config config = TestDatabases.postgres("user", TestCustomers.settings(KEYS));
        for (int i = 0; i < 2; i++) {
            SERVERS.add(Main.setupServer(WebServer.builder(), config, new GracefulShutdown()).build().start());
        }
    }

    @AfterAll
    static void stop() {
        SERVERS.forEach(WebServer::stop);
    }

    @Test
    void fortyConcurrentDuplicatesOverTwoReplicasHaveOneEffect() {
        String key = UUID.randomUUID().toString();
        String email = UUID.randomUUID() + "@example.com";
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String base = base(i % 2);
            calls.add(() -> TestCustomers.register(base, "Replicated", email, TestCustomers.PASSWORD,
                    "Idempotency-Key", key).status());
        }
        List<Integer> statuses = HttpCalls.concurrently(calls);
        Map<Integer, Long> byStatus = statuses.stream()
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        System.out.println("40 concurrent duplicates over 2 replicas on PostgreSQL, answers by status: " + byStatus);

        assertThat(statuses, everyItem(isOneOf(201, 409)));
        assertThat(statuses.contains(201), is(true));
        String admin = TestCustomers.admin(base(0), KEYS).token();
        for (int i = 0; i < 2; i++) {
            Answer found = Answer.of(HttpCalls.send("GET", base(i) + "/api/users?email=" + email, null,
                    "Authorization", "Bearer " + admin));
            assertThat("replica " + i + " finds the one user", found.json().getJsonArray("items"), hasSize(1));
        }
        // After the storm every replica replays the one stored answer.
        Answer replay = TestCustomers.register(base(1), "Replicated", email, TestCustomers.PASSWORD,
                "Idempotency-Key", key);
        assertThat(replay.status(), is(201));
        assertThat(replay.header("Idempotent-Replayed"), is("true"));
    }

    @Test
    void failuresOnBothReplicasCountTogether() {
        Customer ada = TestCustomers.signUp(base(0), "Ada", UUID.randomUUID() + "@example.com");
        assertThat("a token of one replica is accepted by the other",
                Answer.of(HttpCalls.send("GET", base(1) + "/api/users/me", null, ada.bearer())).status(), is(200));
        for (int i = 1; i <= 5; i++) {
            assertThat("failure " + i + " on replica " + i % 2,
                    TestCustomers.attemptSignIn(base(i % 2), ada.email(), "wrong " + i).status(), is(401));
        }
        for (int i = 0; i < 2; i++) {
            Answer throttled = TestCustomers.attemptSignIn(base(i), ada.email(), TestCustomers.PASSWORD);
            assertThat("replica " + i + " throttles after five failures across both", throttled.status(), is(429));
            assertThat(throttled.problemType(), is("too-many-sign-in-attempts"));
        }
    }

    /**
     * Twenty guesses at once, spread over both replicas: the count is taken before the password check, in the
     * database, so exactly five of them get as far as a check, however they interleave.
     */
    @Test
    void concurrentGuessesOverTwoReplicasGetExactlyFiveChecks() {
        String email = UUID.randomUUID() + "@example.com";
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String base = base(i % 2);
            String guess = "guess number " + i + " of twenty";
            calls.add(() -> TestCustomers.attemptSignIn(base, email, guess).status());
        }
        List<Integer> statuses = HttpCalls.concurrently(calls);
        Map<Integer, Long> byStatus = statuses.stream()
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        System.out.println("20 concurrent wrong sign-ins over 2 replicas on PostgreSQL, answers by status: " + byStatus);
        assertThat(byStatus, is(new TreeMap<>(Map.of(401, 5L, 429, 15L))));
    }

    private static String base(int replica) {
        return "http://localhost:" + SERVERS.get(replica).port();
    }
}
