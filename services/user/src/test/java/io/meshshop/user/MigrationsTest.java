package io.meshshop.user;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.meshshop.common.db.Databases;
import io.meshshop.common.testing.TestDatabases;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

/** The same Flyway migrations apply on H2 and on PostgreSQL and leave the same history. */
class MigrationsTest {

    @Test
    void sameMigrationsRunOnH2AndPostgres() throws SQLException {
        String h2 = "jdbc:h2:mem:migrations-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=TRUE";
        Databases.migrate(h2, "sa", "", "db/user/migration");
        Map<String, String> pg = TestDatabases.newPostgresDatabase("user");
        Databases.migrate(pg.get("db.url"), pg.get("db.user"), pg.get("db.password"), "db/user/migration");

        List<String> onH2 = history(h2, "sa", "");
        List<String> onPostgres = history(pg.get("db.url"), pg.get("db.user"), pg.get("db.password"));
        assertThat(onH2, is(onPostgres));
        assertThat(onH2, hasItems("0.1 idempotency keys true", "1 users true", "2 password hash true",
                "3 sign in attempts true"));
    }

    private static List<String> history(String url, String user, String password) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, password);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT version, description, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getBoolean(3));
            }
        }
        return rows;
    }
}
