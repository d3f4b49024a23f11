package io.meshshop.user.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.db.DatabaseErrors;
import io.meshshop.common.db.Rows;
import io.meshshop.user.domain.EmailTakenException;
import io.meshshop.user.domain.SignIn;
import io.meshshop.user.domain.User;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/**
 * The {@code users} table. Every statement is parameterised. UUID parameters are cast in SQL because
 * DbClient binds them as text, which PostgreSQL will not compare with a {@code uuid} column.
 * Statements are named: the name is what the database span in Jaeger shows, and an unnamed statement
 * costs DbClient a generated name (a SHA-256 of its text) on every execution.
 */
public final class UserStore implements SignIn.Accounts {

    private static final String COLUMNS = "id, name, email, created_at";

    private final DbClient db;

    public UserStore(DbClient db) {
        this.db = db;
    }

    public void insert(DbExecute tx, User user, String passwordHash) {
        try {
            tx.createNamedInsert("users-insert",
                            "INSERT INTO users (id, name, email, password_hash, created_at, updated_at)"
                            + " VALUES (CAST(? AS UUID), ?, ?, ?, ?, ?)")
                    .params(user.id(), user.name(), user.email(), passwordHash, Rows.timestamp(user.createdAt()),
                            Rows.timestamp(user.createdAt()))
                    .execute();
        } catch (DbClientException e) {
            throw translate(e);
        }
    }

    public void update(DbExecute tx, User user, Instant now) {
        try {
            tx.createNamedUpdate("users-update",
                            "UPDATE users SET name = ?, email = ?, updated_at = ? WHERE id = CAST(? AS UUID)")
                    .params(user.name(), user.email(), Rows.timestamp(now), user.id())
                    .execute();
        } catch (DbClientException e) {
            throw translate(e);
        }
    }

    public boolean delete(DbExecute tx, UUID id) {
        return tx.createNamedDelete("users-delete", "DELETE FROM users WHERE id = CAST(? AS UUID)")
                .params(id)
                .execute() > 0;
    }

    public Optional<User> find(UUID id) {
        return db.execute().createNamedGet("users-find",
                        "SELECT " + COLUMNS + " FROM users WHERE id = CAST(? AS UUID)")
                .params(id)
                .execute().map(UserStore::user);
    }

    /** Locks the row so that two concurrent changes of one user serialise. */
    public Optional<User> findForUpdate(DbExecute tx, UUID id) {
        return tx.createNamedGet("users-find-for-update",
                        "SELECT " + COLUMNS + " FROM users WHERE id = CAST(? AS UUID) FOR UPDATE")
                .params(id)
                .execute().map(UserStore::user);
    }

    public Optional<User> findByEmail(String email) {
        return db.execute().createNamedGet("users-find-by-email", "SELECT " + COLUMNS + " FROM users WHERE email = ?")
                .params(email)
                .execute().map(UserStore::user);
    }

    /** The password hash is read by sign-in only; every other read leaves it out. */
    @Override
    public Optional<SignIn.Account> findForSignIn(String email) {
        return db.execute().createNamedGet("users-find-for-sign-in",
                        "SELECT id, password_hash FROM users WHERE email = ?")
                .params(email)
                .execute()
                .map(row -> new SignIn.Account(Rows.uuid(row, "id"),
                        Rows.isNull(row, "password_hash") ? null : row.column("password_hash").get(String.class)));
    }

    @Override
    public void replacePasswordHash(UUID userId, String passwordHash) {
        db.execute().createNamedUpdate("users-replace-password-hash",
                        "UPDATE users SET password_hash = ? WHERE id = CAST(? AS UUID)")
                .params(passwordHash, userId)
                .execute();
    }

    /** One page in (created_at, id) order, starting after the given position (null for the first page). */
    public List<User> page(Instant afterCreatedAt, UUID afterId, int limit) {
        if (afterCreatedAt == null) {
            return db.execute().createNamedQuery("users-first-page",
                            "SELECT " + COLUMNS + " FROM users ORDER BY created_at, id LIMIT ?")
                    .params(limit)
                    .execute()
                    .map(UserStore::user).toList();
        }
        return db.execute().createNamedQuery("users-next-page",
                        "SELECT " + COLUMNS + " FROM users WHERE created_at > ?"
                        + " OR (created_at = ? AND id > CAST(? AS UUID)) ORDER BY created_at, id LIMIT ?")
                .params(Rows.timestamp(afterCreatedAt), Rows.timestamp(afterCreatedAt), afterId, limit)
                .execute()
                .map(UserStore::user).toList();
    }

    private static User user(DbRow row) {
        return new User(Rows.uuid(row, "id"), row.column("name").get(String.class),
                row.column("email").get(String.class), Rows.instant(row, "created_at"));
    }

    private static RuntimeException translate(DbClientException e) {
        return DatabaseErrors.isUniqueViolation(e) ? new EmailTakenException() : e;
    }

}
