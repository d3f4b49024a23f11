package io.meshshop.user.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.meshshop.common.db.DatabaseErrors;
import io.meshshop.common.db.Rows;
import io.meshshop.user.domain.SignIn;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbTransaction;

/**
 * The {@code sign_in_attempts} table: one row per throttle key with its window, shared by every replica on
 * the database. Counting is a conditional {@code UPDATE}, which the database serialises per row, so
 * concurrent attempts on any replicas each get their own count.
 */
public final class SignInAttemptStore implements SignIn.Attempts {

    /** A concurrent first attempt can win the insert; the loser then finds its row and counts on it. */
    private static final int TRIES = 3;
    private static final System.Logger LOG = System.getLogger(SignInAttemptStore.class.getName());

    private final DbClient db;

    public SignInAttemptStore(DbClient db) {
        this.db = db;
    }

    @Override
    public SignIn.Window record(String key, Instant now, Duration window) {
        for (int attempt = 1; ; attempt++) {
            DbTransaction tx = db.transaction();
            try {
                SignIn.Window counted = record(tx, key, now, window);
                tx.commit();
                return counted;
            } catch (DbClientException e) {
                rollbackQuietly(tx);
                if (!DatabaseErrors.isUniqueViolation(e) || attempt == TRIES) {
                    throw e;
                }
            } catch (RuntimeException e) {
                rollbackQuietly(tx);
                throw e;
            }
        }
    }

    private static SignIn.Window record(DbTransaction tx, String key, Instant now, Duration window) {
        OffsetDateTime windowOpenSince = Rows.timestamp(now.minus(window));
        long counted = tx.createNamedUpdate("sign-in-attempts-count",
                        "UPDATE sign_in_attempts SET attempts = attempts + 1"
                        + " WHERE throttle_key = ? AND window_start > ?")
                .params(key, windowOpenSince)
                .execute();
        if (counted == 0) {
            counted = tx.createNamedUpdate("sign-in-attempts-restart",
                            "UPDATE sign_in_attempts SET attempts = 1, window_start = ?"
                            + " WHERE throttle_key = ? AND window_start <= ?")
                    .params(Rows.timestamp(now), key, windowOpenSince)
                    .execute();
        }
        if (counted == 0) {
            tx.createNamedInsert("sign-in-attempts-start",
                            "INSERT INTO sign_in_attempts (throttle_key, attempts, window_start) VALUES (?, 1, ?)")
                    .params(key, Rows.timestamp(now))
                    .execute();
        }
        // The update above locked the row until commit: this is the count this attempt made.
        DbRow row = tx.createNamedGet("sign-in-attempts-read",
                        "SELECT attempts, window_start FROM sign_in_attempts WHERE throttle_key = ?")
                .params(key)
                .execute()
                .orElseThrow(() -> new IllegalStateException("The attempt row vanished inside its transaction"));
        return new SignIn.Window(Math.toIntExact(Rows.longValue(row, "attempts")), Rows.instant(row, "window_start"));
    }

    @Override
    public void clear(String key) {
        db.execute().createNamedDelete("sign-in-attempts-clear", "DELETE FROM sign_in_attempts WHERE throttle_key = ?")
                .params(key)
                .execute();
    }

    /** Deletes the rows of windows that ended: they no longer throttle anything. Any replica may run it. */
    public long purgeEnded(Instant now, Duration window) {
        return db.execute().createNamedDelete("sign-in-attempts-purge",
                        "DELETE FROM sign_in_attempts WHERE window_start <= ?")
                .params(Rows.timestamp(now.minus(window)))
                .execute();
    }

    /** Purges ended windows every {@code window} (at most once a minute) on a daemon thread, for the process's life. */
    public void startPurging(Clock clock, Duration window) {
        long every = Math.max(Duration.ofMinutes(1).toMillis(), window.toMillis());
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sign-in-attempts-purge").daemon()
                        .factory())
                .scheduleWithFixedDelay(() -> {
                    try {
                        purgeEnded(clock.instant(), window);
                    } catch (RuntimeException e) {
                        // The next run tries again; rows of ended windows never throttle anyone meanwhile.
                        LOG.log(System.Logger.Level.WARNING, "Purging sign-in attempts failed: " + e.getMessage());
                    }
                }, every, every, TimeUnit.MILLISECONDS);
    }

    private static void rollbackQuietly(DbTransaction tx) {
        try {
            tx.rollback();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Rollback failed: " + e.getMessage());
        }
    }

}
