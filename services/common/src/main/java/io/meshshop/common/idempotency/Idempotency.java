package io.meshshop.common.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.meshshop.common.auth.Caller;
import io.meshshop.common.db.DatabaseErrors;
import io.meshshop.common.db.Rows;
import io.meshshop.common.observe.Meters;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbTransaction;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The {@code Idempotency-Key} protocol (IETF httpapi draft) on top of the service's own database.
 *
 * <p>A request first claims its key in a short committed insert; the primary key makes the claim
 * exclusive across every replica on the same database. The effect and the stored response then commit in
 * one transaction, guarded by the claim's owner token, so either both exist or neither does. A claim whose
 * owner died (crash between the two steps) is taken over after its lease; the dead owner's effect was
 * rolled back with its transaction, so the takeover cannot produce a second effect.
 *
 * <p>Validation failures happen before the claim and are not stored (the client may correct the body and
 * reuse the key). Outcomes the effect decides (a 402 decline, a 409 conflict) are stored and replayed.
 * Failures of this pod or its database (5xx) release the claim so the mesh's retry can succeed.
 *
 * <p>A service whose effect cannot commit in one transaction with a stored reply keeps the key on its own
 * record instead (order: a checkout calls payment between its statements, so the order row carries the key
 * and a repeat is answered from the order as it stands). It speaks the same protocol through
 * {@link #fingerprint}, {@link #answered}, {@link #keyReused} and {@link #inFlight}: the same fingerprint,
 * problem documents, replay header and counter.
 *
 * <p>Statements are named: the name is the database span's in Jaeger, and DbClient would otherwise hash the
 * statement's text to name it on every execution (docs/helidon-workarounds.md#unnamed-statements).
 */
public final class Idempotency {

    /** Marks a response that was replayed from the store rather than produced now. */
    public static final HeaderName REPLAYED = HeaderNames.create("Idempotent-Replayed");

    private static final System.Logger LOG = System.getLogger(Idempotency.class.getName());
    /** The width of {@code idempotency_keys.idem_key}. */
    private static final int MAX_STORED_KEY = 255;

    private final DbClient db;
    private final Clock clock;
    private final Duration retention;
    private final Duration lease;

    public Idempotency(DbClient db, Clock clock, Duration retention, Duration lease) {
        this.db = db;
        this.clock = clock;
        this.retention = retention;
        this.lease = lease;
    }

    /**
     * Reads {@code retention} (default 24 h), {@code lease} (default 30 s) and {@code purge-interval}
     * (default 10 min) from the service's {@code idempotency} node, and starts purging expired keys.
     */
    public static Idempotency create(DbClient db, Config config) {
        Idempotency idempotency = new Idempotency(db, Clock.systemUTC(),
                config.get("retention").as(Duration.class).orElse(Duration.ofHours(24)),
                config.get("lease").as(Duration.class).orElse(Duration.ofSeconds(30)));
        idempotency.startPurging(config.get("purge-interval").as(Duration.class).orElse(Duration.ofMinutes(10)));
        return idempotency;
    }

    /**
     * Runs {@code effect} in a transaction at most once per key and writes its reply (or the stored one).
     * Without a key the effect simply runs once in its own transaction. The key is shared by every caller of
     * the route: for routes that only services call (the mesh says which) and for anonymous ones.
     *
     * @param key    the request's key, if it sent one
     * @param body   the raw request body, part of the request fingerprint
     * @param effect the state change; it returns what it decided or throws a 4xx {@link ProblemException}
     * @param reply  the answer to what the effect decided, stored with it in the effect's transaction
     * @return what the effect decided, when it ran now and committed; empty for a replayed answer and for a
     *         4xx the effect threw (stored for replay). Business counters count this, so they count what
     *         committed, once, and never a replay or an effect that was rolled back.
     */
    public <T> Optional<T> respond(ServerRequest req, ServerResponse res, Optional<IdempotencyKey> key, byte[] body,
                                   Function<DbTransaction, T> effect, Function<T, Reply> reply) {
        return respondUnder(req, res, key.map(IdempotencyKey::value), body, effect, reply);
    }

    /**
     * As {@link #respond(ServerRequest, ServerResponse, Optional, byte[], Function, Function)}, with the key
     * scoped to the signed-in caller: two customers who send the same key get each their own effect, and
     * neither ever sees the other's stored answer.
     */
    public <T> Optional<T> respond(ServerRequest req, ServerResponse res, Caller caller, Optional<IdempotencyKey> key,
                                   byte[] body, Function<DbTransaction, T> effect, Function<T, Reply> reply) {
        return respondUnder(req, res, key.map(k -> scoped(caller, k)), body, effect, reply);
    }

    /** For an effect that answers its {@link Reply} itself and counts nothing. */
    public void respond(ServerRequest req, ServerResponse res, Optional<IdempotencyKey> key, byte[] body,
                        Function<DbTransaction, Reply> effect) {
        respond(req, res, key, body, effect, Function.identity());
    }

    /** For an effect that answers its {@link Reply} itself and counts nothing, with the caller's own keys. */
    public void respond(ServerRequest req, ServerResponse res, Caller caller, Optional<IdempotencyKey> key,
                        byte[] body, Function<DbTransaction, Reply> effect) {
        respond(req, res, caller, key, body, effect, Function.identity());
    }

    /**
     * The stored form of a caller's key: the caller's id before the key, or before the key's SHA-256 where
     * both together would not fit the column (keys may be 255 characters), so the key space of each caller is
     * its own without a schema change.
     */
    static String scoped(Caller caller, IdempotencyKey key) {
        String prefix = "user:" + caller.userId() + " ";
        String stored = prefix + key.value();
        if (stored.length() <= MAX_STORED_KEY) {
            return stored;
        }
        return prefix + "sha256:" + sha256(key.value().getBytes(StandardCharsets.US_ASCII));
    }

    private <T> Optional<T> respondUnder(ServerRequest req, ServerResponse res, Optional<String> key, byte[] body,
                                         Function<DbTransaction, T> effect, Function<T, Reply> reply) {
        if (key.isEmpty()) {
            Decided<T> decided = runInTransaction(effect, reply, null);
            write(res, decided.reply(), false);
            return Optional.of(decided.value());
        }
        String fingerprint = fingerprint(req.prologue().method().text(), req.path().absolute().path(), body);
        Claim claim = claim(key.get(), fingerprint);
        if (claim.replay() != null) {
            count(Outcome.REPLAYED);
            write(res, claim.replay(), true);
            return Optional.empty();
        }
        Decided<T> decided;
        try {
            decided = runInTransaction(effect, reply, claim);
        } catch (ProblemException e) {
            if (e.problem().status() >= 500) {
                release(claim);
                throw e;
            }
            // The effect decided a 4xx (and changed nothing): the same request must get the same answer.
            Reply refused = Reply.problem(e.problem());
            storeOutcome(claim, refused);
            count(Outcome.EXECUTED);
            write(res, refused, false);
            return Optional.empty();
        } catch (RuntimeException e) {
            release(claim);
            throw e;
        }
        count(Outcome.EXECUTED);
        write(res, decided.reply(), false);
        return Optional.of(decided.value());
    }

    /** Purges expired keys every {@code interval} on a daemon thread, for the life of the process. */
    public void startPurging(Duration interval) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("idempotency-purge").daemon().factory());
        timer.scheduleWithFixedDelay(() -> {
            try {
                long purged = purgeExpired();
                if (purged > 0) {
                    LOG.log(System.Logger.Level.DEBUG, "Purged " + purged + " expired idempotency keys");
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Idempotency purge failed, will try again", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes keys past their retention; every replica may run it, deletes are idempotent. */
    public long purgeExpired() {
        return db.execute().createNamedDelete("idempotency-purge", "DELETE FROM idempotency_keys WHERE expires_at < ?")
                .params(now())
                .execute();
    }

    private <T> Decided<T> runInTransaction(Function<DbTransaction, T> effect, Function<T, Reply> reply, Claim claim) {
        DbTransaction tx = db.transaction();
        try {
            T value = effect.apply(tx);
            Reply answer = reply.apply(value);
            if (claim != null && complete(tx, claim, answer) == 0) {
                throw lostLease();
            }
            tx.commit();
            return new Decided<>(value, answer);
        } catch (RuntimeException e) {
            rollbackQuietly(tx);
            throw e;
        }
    }

    private Claim claim(String key, String fingerprint) {
        String owner = UUID.randomUUID().toString();
        if (tryInsert(key, fingerprint, owner)) {
            return new Claim(key, owner, null);
        }
        DbRow row = db.execute().createNamedGet("idempotency-find",
                        "SELECT fingerprint, state, locked_until, expires_at, response_status,"
                        + " response_content_type, response_location, response_body FROM idempotency_keys"
                        + " WHERE idem_key = ?")
                .params(key)
                .execute()
                .orElse(null);
        if (row == null || Rows.instant(row, "expires_at").isBefore(clock.instant())) {
            // Expired, or purged between our insert and select: an expired key is a new key. Renewing the
            // expired row claims it in one conditional statement that only one of concurrent renewals
            // matches; a purged row is claimed by inserting it again.
            if ((row != null && renew(key, fingerprint, owner)) || tryInsert(key, fingerprint, owner)) {
                return new Claim(key, owner, null);
            }
            throw inFlight();
        }
        if (!fingerprint.equals(row.column("fingerprint").get(String.class).strip())) {
            throw keyReused("This Idempotency-Key was already used with a different request; use a new key");
        }
        if ("COMPLETED".equals(row.column("state").get(String.class))) {
            return new Claim(key, owner, new Reply(
                    row.column("response_status").get(Integer.class),
                    row.column("response_content_type").get(String.class),
                    row.column("response_location").get(String.class),
                    String.valueOf(row.column("response_body").get(String.class)).getBytes(StandardCharsets.UTF_8)));
        }
        if (Rows.instant(row, "locked_until").isBefore(clock.instant())) {
            long taken = db.execute().createNamedUpdate("idempotency-take-over",
                            "UPDATE idempotency_keys SET owner_token = ?, locked_until = ?"
                            + " WHERE idem_key = ? AND state = 'IN_FLIGHT' AND locked_until < ?")
                    .params(owner, at(clock.instant().plus(lease)), key, now())
                    .execute();
            if (taken == 1) {
                LOG.log(System.Logger.Level.INFO, "Took over the stale claim of an Idempotency-Key");
                return new Claim(key, owner, null);
            }
        }
        throw inFlight();
    }

    private boolean tryInsert(String key, String fingerprint, String owner) {
        Instant now = clock.instant();
        try {
            db.execute().createNamedInsert("idempotency-claim",
                            "INSERT INTO idempotency_keys (idem_key, fingerprint, state, owner_token,"
                            + " locked_until, expires_at, created_at) VALUES (?, ?, 'IN_FLIGHT', ?, ?, ?, ?)")
                    .params(key, fingerprint, owner, at(now.plus(lease)), at(now.plus(retention)), at(now))
                    .execute();
            return true;
        } catch (DbClientException e) {
            if (DatabaseErrors.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Claims an expired key for a new request, as a fresh insert would, if it is still expired. */
    private boolean renew(String key, String fingerprint, String owner) {
        Instant now = clock.instant();
        return db.execute().createNamedUpdate("idempotency-renew",
                        "UPDATE idempotency_keys SET fingerprint = ?, state = 'IN_FLIGHT', owner_token = ?,"
                        + " locked_until = ?, expires_at = ?, created_at = ?, response_status = NULL,"
                        + " response_content_type = NULL, response_location = NULL, response_body = NULL"
                        + " WHERE idem_key = ? AND expires_at < ?")
                .params(fingerprint, owner, at(now.plus(lease)), at(now.plus(retention)), at(now), key, at(now))
                .execute() == 1;
    }

    private long complete(DbExecute tx, Claim claim, Reply reply) {
        return tx.createNamedUpdate("idempotency-complete",
                        "UPDATE idempotency_keys SET state = 'COMPLETED', response_status = ?,"
                        + " response_content_type = ?, response_location = ?, response_body = ?"
                        + " WHERE idem_key = ? AND owner_token = ? AND state = 'IN_FLIGHT'")
                .params(reply.status(), reply.contentType(), reply.location(), reply.bodyText(), claim.key(),
                        claim.owner())
                .execute();
    }

    /** Stores a 4xx the effect decided (its transaction changed nothing): one statement, no transaction around it. */
    private void storeOutcome(Claim claim, Reply reply) {
        if (complete(db.execute(), claim, reply) == 0) {
            throw lostLease();
        }
    }

    private void release(Claim claim) {
        try {
            db.execute().createNamedDelete("idempotency-release",
                            "DELETE FROM idempotency_keys WHERE idem_key = ? AND owner_token = ?"
                            + " AND state = 'IN_FLIGHT'")
                    .params(claim.key(), claim.owner())
                    .execute();
        } catch (RuntimeException e) {
            // The lease expires on its own; the next attempt after it takes the claim over.
            LOG.log(System.Logger.Level.WARNING, "Could not release an Idempotency-Key claim", e);
        }
    }

    private static void write(ServerResponse res, Reply reply, boolean replayed) {
        res.status(Status.create(reply.status()));
        if (replayed) {
            res.header(REPLAYED, "true");
        }
        if (reply.location() != null) {
            res.header(HeaderNames.LOCATION, reply.location());
        }
        if (reply.contentType() != null) {
            res.headers().contentType(HttpMediaType.create(reply.contentType()));
        }
        if (reply.body().length == 0) {
            res.send();
        } else {
            res.send(reply.body());
        }
    }

    /** SHA-256 of method, absolute path and body: what "the same request" means for a key. */
    public static String fingerprint(String method, String path, byte[] body) {
        return sha256((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8), body);
    }

    private static String sha256(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha.update(part);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    private OffsetDateTime now() {
        return at(clock.instant());
    }

    private static OffsetDateTime at(Instant instant) {
        return Rows.timestamp(instant);
    }

    private static ProblemException inFlight() {
        return inFlight(Problem.of(ProblemType.IDEMPOTENCY_IN_FLIGHT,
                "The first request with this Idempotency-Key has not finished; retry later for its result"));
    }

    private static ProblemException lostLease() {
        return ProblemException.of(ProblemType.IDEMPOTENCY_IN_FLIGHT,
                "This request took too long and another request took over its Idempotency-Key");
    }

    private static void rollbackQuietly(DbTransaction tx) {
        try {
            tx.rollback();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Rollback failed", e);
        }
    }

    // ---- for a service that keeps its keys on its own records -------------------------------------------

    /**
     * Marks an answer as the service's own record of a key gave it: {@code Idempotent-Replayed: true} when
     * {@code replayed}, and the same counter as {@link #respond}. For a service whose effect cannot commit with
     * a stored reply (order: a checkout calls payment between its statements), so it keeps the key on its own
     * record (the order) and answers a repeat from that record; the protocol is the same.
     */
    public static void answered(ServerResponse res, boolean replayed) {
        if (replayed) {
            res.header(REPLAYED, "true");
        }
        count(replayed ? Outcome.REPLAYED : Outcome.EXECUTED);
    }

    /** 422: the key was used with another request (another fingerprint); counted as such. */
    public static ProblemException keyReused(String detail) {
        count(Outcome.KEY_REUSED);
        return ProblemException.of(ProblemType.IDEMPOTENCY_KEY_REUSED, detail);
    }

    /**
     * 409 with {@code Retry-After}: the first request with the key has no answer yet; counted as such.
     *
     * @param problem of type {@link ProblemType#IDEMPOTENCY_IN_FLIGHT}, with any extensions the service adds
     */
    public static ProblemException inFlight(Problem problem) {
        if (!problem.type().equals(ProblemType.IDEMPOTENCY_IN_FLIGHT)) {
            throw new IllegalArgumentException("Not an in-flight problem: " + problem.type().slug());
        }
        count(Outcome.IN_FLIGHT);
        return new ProblemException(problem, Problems.RETRY_AFTER_SECONDS);
    }

    /** The values of {@code meshshop_idempotency_requests_total{outcome}}. */
    private enum Outcome {
        EXECUTED, REPLAYED, KEY_REUSED, IN_FLIGHT;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static void count(Outcome outcome) {
        Meters.count("meshshop.idempotency.requests", "Requests that carried an Idempotency-Key, by outcome",
                "outcome", outcome.label());
    }

    /** What an effect decided and the reply it answers. */
    private record Decided<T>(T value, Reply reply) {
    }

    /** A claimed key ({@code replay} null) or a completed one to replay. */
    private record Claim(String key, String owner, Reply replay) {
    }
}
