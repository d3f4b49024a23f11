package io.meshshop.payment;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.meshshop.common.db.Databases;

import io.helidon.config.Config;

/**
 * Reads the test database behind the API, to count rows the API does not show one by one (every payment
 * row of an order, the sum of refunds). Read-only.
 */
final class PaymentDatabase {

    private final String url;
    private final String user;
    private final String password;

    PaymentDatabase(Config config) {
        // The URL the service connects with: H2 refuses a second connection whose settings differ.
        this.url = Databases.url(config.get("db"));
        this.user = config.get("db.user").asString().orElse("");
        this.password = config.get("db.password").asString().orElse("");
    }

    /** The single number a query such as {@code SELECT COUNT(*) ...} answers. */
    long number(String sql, Object... params) {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError("Test query failed: " + sql, e);
        }
    }
}
