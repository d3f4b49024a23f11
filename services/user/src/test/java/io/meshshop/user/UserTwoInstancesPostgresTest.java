package io.meshshop.user;

import io.meshshop.common.testing.Answer;

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
 * Two replicas of the user service on one PostgreSQL database, as the mesh load-balances them: one
 * Idempotency-Key sent 40 times at once, half to each replica, has exactly one effect.
 */
class UserTwoInstancesPostgresTest {

    private static final List<WebServer> SERVERS = new ArrayList<>();

    @BeforeAll
    static void startTwoReplicas() {
        Config config = TestDatabases.postgres("user");
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
        String body = "{\"name\":\"Replicated\",\"email\":\"" + email + "\"}";
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String url = "http://localhost:" + SERVERS.get(i % 2).port() + "/api/users";
            calls.add(() -> HttpCalls.send("POST", url, body, "Idempotency-Key", key).statusCode());
        }
        List<Integer> statuses = HttpCalls.concurrently(calls);
        Map<Integer, Long> byStatus = statuses.stream()
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        System.out.println("40 concurrent duplicates over 2 replicas on PostgreSQL, answers by status: " + byStatus);

        assertThat(statuses, everyItem(isOneOf(201, 409)));
        assertThat(statuses.contains(201), is(true));
        for (WebServer server : SERVERS) {
            Answer found = Answer.of(HttpCalls.send("GET",
                    "http://localhost:" + server.port() + "/api/users?email=" + email, null));
            assertThat(found.json().getJsonArray("items"), hasSize(1));
        }
        // After the storm every replica replays the one stored answer.
        Answer replay = Answer.of(HttpCalls.send("POST", "http://localhost:" + SERVERS.get(1).port() + "/api/users",
                body, "Idempotency-Key", key));
        assertThat(replay.status(), is(201));
        assertThat(replay.header("Idempotent-Replayed"), is("true"));
    }
}
