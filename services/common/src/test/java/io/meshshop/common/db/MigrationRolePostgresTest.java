package io.meshshop.common.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.meshshop.common.testing.TestDatabases;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.dbclient.DbClient;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The schema is migrated by its owner ({@code db.migration.user}) while the pool connects as a role that may
 * only read and write rows, as in the cluster (k8s/overlays/dev/databases/postgres/init/create-roles.sh).
 */
class MigrationRolePostgresTest {

    @Test
    void migratesAsTheOwnerAndServesAsTheDataRole() throws SQLException {
        Map<String, String> database = TestDatabases.newPostgresDatabase("roles");
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
        String owner = "meshshop_owner_" + suffix;
        String app = "meshshop_app_" + suffix;
        String url = database.get("db.url");
        String dbName = url.substring(url.lastIndexOf('/') + 1);
        try (Connection admin = DriverManager.getConnection(url, database.get("db.user"), database.get("db.password"));
             Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE " + owner + " LOGIN PASSWORD 'owner'");
            sql.execute("CREATE ROLE " + app + " LOGIN PASSWORD 'app'");
            sql.execute("GRANT CONNECT ON DATABASE " + dbName + " TO " + owner + ", " + app);
            sql.execute("GRANT CREATE, USAGE ON SCHEMA public TO " + owner);
            sql.execute("GRANT USAGE ON SCHEMA public TO " + app);
            sql.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public"
                        + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + app);
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("url", url);
        settings.put("user", app);
        settings.put("password", "app");
        settings.put("migration.user", owner);
        settings.put("migration.password", "owner");
        DbClient db = Databases.open(Config.just(ConfigSources.create(settings)));
        try {
            try (Connection admin = DriverManager.getConnection(url, database.get("db.user"), database.get("db.password"));
                 Statement sql = admin.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT tableowner FROM pg_tables WHERE tablename = 'idempotency_keys'")) {
                assertThat("a migrated table exists", rows.next(), is(true));
                assertThat("the owner role made it", rows.getString(1), is(owner));
            }
            long deleted = db.execute().createDelete("DELETE FROM idempotency_keys WHERE idem_key = 'none'").execute();
            assertThat("the pool's role writes rows", deleted, is(0L));
            try (Connection asApp = DriverManager.getConnection(url, app, "app");
                 Statement sql = asApp.createStatement()) {
                assertThrows(SQLException.class, () -> sql.execute("DROP TABLE idempotency_keys"),
                        "the pool's role must not change the schema");
            }
        } finally {
            db.close();
            // The roles' objects and privileges all live in the test database: dropping it frees the roles.
            try (Connection admin = DriverManager.getConnection(url.substring(0, url.lastIndexOf('/') + 1) + "postgres",
                    database.get("db.user"), database.get("db.password"));
                 Statement sql = admin.createStatement()) {
                sql.execute("DROP DATABASE " + dbName + " WITH (FORCE)");
                sql.execute("DROP ROLE " + owner);
                sql.execute("DROP ROLE " + app);
            }
        }
    }
}
