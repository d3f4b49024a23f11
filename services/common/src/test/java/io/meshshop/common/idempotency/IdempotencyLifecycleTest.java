package io.meshshop.common.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.meshshop.common.db.Databases;
import io.meshshop.common.db.Rows;
import io.meshshop.common.json.JsonInput;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.TestClock;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.dbclient.DbClient;
import io.helidon.webserver.WebServer;

import jakarta.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The parts of the key lifecycle that need a clock: retention, purge, and taking over the claim of a
 * request whose pod died between claiming and completing; and what an effect's caller is handed back, which
 * is what business counters count.
 */
class IdempotencyLifecycleTest {

    private static final TestClock CLOCK = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private static final AtomicInteger EFFECTS = new AtomicInteger();
    /** What respond() handed back to the /decisions route: the decisions that committed now. */
    private static final List<String> COMMITTED = new CopyOnWriteArrayList<>();
    private static DbClient db;
    private static Idempotency idempotency;
    private static WebServer server;

    @BeforeAll
    static void start() {
        db = Databases.open(Config.just(ConfigSources.create(java.util.Map.of(
                "url", "jdbc:h2:mem:idem-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "user", "sa"))));
        idempotency = new Idempotency(db, CLOCK, Duration.ofHours(24), Duration.ofSeconds(30));
        server = WebServer.builder().port(0)
                .routing(routing -> {
                    Problems.register(routing);
                    routing.post("/effects", (req, res) -> {
                        JsonInput in = JsonInput.read(req);
                        idempotency.respond(req, res, IdempotencyKey.from(req), in.rawBody(), tx -> {
                            int n = EFFECTS.incrementAndGet();
                            return Reply.created("/effects/" + n, Json.createObjectBuilder().add("n", n).build());
                        });
                    });
                    routing.post("/decisions", (req, res) -> {
                        JsonInput in = JsonInput.read(req);
                        String decision = in.requiredString("decision", 1, 20);
                        in.validate();
                        idempotency.respond(req, res, IdempotencyKey.from(req), in.rawBody(), tx -> {
                            if (decision.equals("refuse")) {
                                throw ProblemException.of(ProblemType.VALIDATION, "refused by the effect");
                            }
                            if (decision.equals("fail")) {
                                throw new IllegalStateException("the effect failed");
                            }
                            return decision;
                        }, value -> Reply.ok(Json.createObjectBuilder().add("decision", value).build()))
                                .ifPresent(COMMITTED::add);
                    });
                })
                .build().start();
    }

    @AfterAll
    static void stop() {
        server.stop();
        db.close();
    }

    @Test
    void keysExpireAfterRetentionAndArePurged() {
        String key = UUID.randomUUID().toString();
        assertThat("the first request", post(key, "{\"a\":1}"), is(201));
        assertThat("the key with another body", post(key, "{\"a\":2}"), is(422));

        CLOCK.advance(Duration.ofHours(25));
        int before = EFFECTS.get();
        assertThat("an expired key is a new key", post(key, "{\"a\":2}"), is(201));
        assertThat("the renewed key's effect ran", EFFECTS.get(), is(before + 1));
        // The renewed key is the new request's: it replays that one and refuses the old body.
        assertThat("the renewed key's request again", post(key, "{\"a\":2}"), is(201));
        assertThat("replayed, not repeated", EFFECTS.get(), is(before + 1));
        assertThat("the expired request's body under the renewed key", post(key, "{\"a\":1}"), is(422));

        CLOCK.advance(Duration.ofHours(25));
        assertThat("the purge deleted the expired key", idempotency.purgeExpired() >= 1, is(true));
        assertThat("the key's rows after the purge", count(key), is(0L));
    }

    @Test
    void aStaleClaimIsTakenOverAndALiveOneIsNot() {
        String key = UUID.randomUUID().toString();
        String body = "{\"b\":1}";
        Instant now = CLOCK.instant();
        // A claim as a pod leaves it when it dies between claiming and completing.
        db.execute().insert("INSERT INTO idempotency_keys (idem_key, fingerprint, state, owner_token, locked_until,"
                            + " expires_at, created_at) VALUES (?, ?, 'IN_FLIGHT', 'dead-pod', ?, ?, ?)",
                key, Idempotency.fingerprint("POST", "/effects", body.getBytes()),
                Rows.timestamp(now.plusSeconds(30)), Rows.timestamp(now.plus(Duration.ofHours(24))), Rows.timestamp(now));
        assertThat("inside the lease the first request may still finish", post(key, body), is(409));

        CLOCK.advance(Duration.ofSeconds(31));
        int before = EFFECTS.get();
        assertThat("after the lease the claim is taken over", post(key, body), is(201));
        assertThat("the effect ran once, now", EFFECTS.get(), is(before + 1));
        assertThat("the same request again", post(key, body), is(201));
        assertThat("replayed, not repeated", EFFECTS.get(), is(before + 1));
    }

    @Test
    void theDecisionIsHandedBackOnlyWhenItCommittedNow() {
        String key = UUID.randomUUID().toString();
        COMMITTED.clear();
        assertThat("a decision", post("/decisions", key, "{\"decision\":\"accept\"}"), is(200));
        assertThat("its replay", post("/decisions", key, "{\"decision\":\"accept\"}"), is(200));
        assertThat("handed back once, not for the replay", COMMITTED, is(List.of("accept")));

        String refused = UUID.randomUUID().toString();
        assertThat("a 4xx the effect threw", post("/decisions", refused, "{\"decision\":\"refuse\"}"), is(400));
        assertThat("its replay", post("/decisions", refused, "{\"decision\":\"refuse\"}"), is(400));
        assertThat("a thrown 4xx is not handed back", COMMITTED, is(List.of("accept")));

        assertThat("an effect that failed", post("/decisions", UUID.randomUUID().toString(),
                "{\"decision\":\"fail\"}"), is(500));
        assertThat("a failed effect is not handed back", COMMITTED, is(List.of("accept")));
        assertThat("without a key the effect runs and commits", post("/decisions", null, "{\"decision\":\"keyless\"}"),
                is(200));
        assertThat("and is handed back", COMMITTED, is(List.of("accept", "keyless")));
    }

    private static int post(String key, String body) {
        return post("/effects", key, body);
    }

    private static int post(String path, String key, String body) {
        String url = "http://localhost:" + server.port() + path;
        return (key == null ? HttpCalls.send("POST", url, body) : HttpCalls.send("POST", url, body, "Idempotency-Key", key))
                .statusCode();
    }

    private static long count(String key) {
        return db.execute().get("SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key = ?", key)
                .map(row -> Rows.longValue(row, "n")).orElse(0L);
    }
}
