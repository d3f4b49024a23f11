package io.meshshop.user.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.user.store.UserStore;

import io.helidon.dbclient.DbExecute;

/**
 * The user rules: e-mail is unique (the database's unique constraint decides, so two replicas cannot
 * both register one address), only a hash of the password is kept, deleting is idempotent.
 */
public final class Users {

    private final UserStore store;
    private final PasswordHasher hasher;
    private final Clock clock;

    public Users(UserStore store, PasswordHasher hasher, Clock clock) {
        this.store = store;
        this.hasher = hasher;
        this.clock = clock;
    }

    /** @param password as received, already checked against {@link Passwords#problem} */
    public User register(DbExecute tx, String name, String email, String password) {
        // Hashed before the transaction's first statement, which is when it takes a pooled connection: the
        // tens of milliseconds of hashing (or the wait for a hashing slot) never hold a connection.
        String passwordHash = hasher.hash(Passwords.normalise(password));
        // The service's clock is a MicrosecondClock: what both H2 and PostgreSQL keep, so the value read back
        // equals the one returned.
        Instant now = clock.instant();
        User user = new User(UUID.randomUUID(), name, email, now);
        store.insert(tx, user, passwordHash);
        return user;
    }

    public User change(DbExecute tx, UUID id, String name, Optional<String> email) {
        User current = store.findForUpdate(tx, id).orElseThrow(() -> ProblemException.notFound("User " + id));
        User changed = new User(id, name, email.orElse(current.email()), current.createdAt());
        store.update(tx, changed, clock.instant());
        return changed;
    }

    /** True if a user was deleted now; false if there was none, which is the same outcome for a client. */
    public boolean delete(DbExecute tx, UUID id) {
        return store.delete(tx, id);
    }
}
