package io.meshshop.common.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.meshshop.common.db.Databases;
import io.meshshop.common.json.JsonInput;
import io.meshshop.common.problem.Problems;
import io.meshshop.common.testing.HttpCalls;

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
 * request whose pod died between claiming and completing.
 */
class IdempotencyLifecycleTest {

    private static final MutableClock CLOCK = new MutableClock();
    private static final AtomicInteger EFFECTS = new AtomicInteger();
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
        assertThat(post(key, "{\"a\":1}"), is(201));
        assertThat(post(key, "{\"a\":2}"), is(422));

        CLOCK.advance(Duration.ofHours(25));
        int before = EFFECTS.get();
        assertThat("an expired key is a new key", post(key, "{\"a\":2}"), is(201));
        assertThat(EFFECTS.get(), is(before + 1));
        // The renewed key is the new request's: it replays that one and refuses the old body.
        assertThat(post(key, "{\"a\":2}"), is(201));
        assertThat("replayed, not repeated", EFFECTS.get(), is(before + 1));
        assertThat(post(key, "{\"a\":1}"), is(422));

        CLOCK.advance(Duration.ofHours(25));
        assertThat(idempotency.purgeExpired() >= 1, is(true));
        assertThat(count(key), is(0L));
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
                now.plusSeconds(30).atOffset(ZoneOffset.UTC), now.plus(Duration.ofHours(24)).atOffset(ZoneOffset.UTC),
                now.atOffset(ZoneOffset.UTC));
        assertThat("inside the lease the first request may still finish", post(key, body), is(409));

        CLOCK.advance(Duration.ofSeconds(31));
        int before = EFFECTS.get();
        assertThat(post(key, body), is(201));
        assertThat(EFFECTS.get(), is(before + 1));
        assertThat(post(key, body), is(201));
        assertThat("replayed, not repeated", EFFECTS.get(), is(before + 1));
    }

    private static int post(String key, String body) {
        return HttpCalls.send("POST", "http://localhost:" + server.port() + "/effects", body,
                "Idempotency-Key", key).statusCode();
    }

    private static long count(String key) {
        return db.execute().get("SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key = ?", key)
                .map(row -> ((Number) row.column("n").get()).longValue()).orElse(0L);
    }

    /** A clock the test moves forward. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
