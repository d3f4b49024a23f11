package io.meshshop.bench.ceiling;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The database ceiling: {@code GET /api/users/{id}} reads one row of user's own {@code users} table by
 * primary key through HikariCP with a plain {@link PreparedStatement} and writes the JSON by hand, in the shape
 * user answers ({@code id, name, email, createdAt}). It checks no token, traces nothing and counts nothing: the
 * most a database-backed read can do on this machine, so the user service's figure is read as a share of it.
 * It never writes and never migrates: it reads the database that the user service created and filled.
 */
final class UserRow {

    private static final String SELECT = "SELECT id, name, email, created_at FROM users WHERE id = ?";
    private static final byte[] NOT_FOUND = "{\"status\":404}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BAD_ID = "{\"status\":400}".getBytes(StandardCharsets.UTF_8);

    private final HikariDataSource pool;

    private UserRow(HikariDataSource pool) {
        this.pool = pool;
    }

    /** The pool as the services size it (db.pool.size 10, min-idle 2, 500 ms to wait for a connection). */
    static UserRow open(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(500);
        config.setValidationTimeout(1000);
        config.setPoolName("ceiling");
        config.setInitializationFailTimeout(-1);
        // The row never changes while it is read: the same read-only, auto-commit statement the services send.
        config.setReadOnly(true);
        return new UserRow(new HikariDataSource(config));
    }

    void handle(ServerRequest req, ServerResponse res) {
        UUID id;
        try {
            id = UUID.fromString(req.path().pathParameters().get("id"));
        } catch (IllegalArgumentException e) {
            res.status(Status.BAD_REQUEST_400).header(Main.JSON).send(BAD_ID);
            return;
        }
        byte[] body;
        try (Connection connection = pool.getConnection();
             PreparedStatement select = connection.prepareStatement(SELECT)) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                body = row.next() ? json(row) : null;
            }
        } catch (SQLException e) {
            res.status(Status.SERVICE_UNAVAILABLE_503).header(Main.JSON).send();
            return;
        }
        if (body == null) {
            res.status(Status.NOT_FOUND_404).header(Main.JSON).send(NOT_FOUND);
        } else {
            res.header(Main.JSON).send(body);
        }
    }

    private static byte[] json(ResultSet row) throws SQLException {
        StringBuilder out = new StringBuilder(192);
        out.append("{\"id\":\"").append(row.getObject(1, UUID.class)).append("\",\"name\":");
        string(out, row.getString(2));
        out.append(",\"email\":");
        string(out, row.getString(3));
        out.append(",\"createdAt\":\"").append(row.getObject(4, OffsetDateTime.class).toInstant()).append("\"}");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string: quotes, backslashes and control characters escaped, everything else as it is. */
    static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /** Ready once a connection can be had, as the services' readiness includes their database. */
    boolean ready() {
        try (Connection connection = pool.getConnection()) {
            return connection.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }
}
