package io.meshshop.common.db;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.meshshop.common.http.ServiceLauncher;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.metrics.DbClientMetrics;
import io.helidon.dbclient.tracing.DbClientTracing;

import org.flywaydb.core.Flyway;

/**
 * Opens a service's database from its {@code db} config node and migrates it with Flyway before the
 * server takes traffic. The same migrations run on H2 and PostgreSQL, so they use only SQL both accept.
 *
 * <p>Keys (each overridable by environment, e.g. {@code DB_URL}): {@code db.url}, {@code db.user},
 * {@code db.password}, {@code db.pool.size}, {@code db.pool.timeout} (how long a request waits for a
 * connection before it is answered 503: short, because the mesh retries and clients should not hang), and
 * {@code db.migrations}, the class-path folder of the service's own migrations.
 *
 * <p>Each service names its own folder ({@code db/order/migration}, {@code db/payment/migration}): tests run
 * several services in one JVM, on one class path, where Flyway would otherwise apply every service's
 * scripts to every database. The default, {@value #DEFAULT_MIGRATIONS}, is the folder of a service that
 * names none.
 */
public final class Databases {

    /** The migrations of a service that does not name its own folder ({@code db.migrations}). */
    public static final String DEFAULT_MIGRATIONS = "db/migration";
    /** The migrations every service shares (the idempotency keys). */
    private static final String SHARED_MIGRATIONS = "db/common";

    private Databases() {
    }

    public static DbClient open(Config db) {
        String url = url(db);
        String user = db.get("user").asString().orElse("");
        String password = db.get("password").asString().orElse("");
        // Migrations run as the schema's owner when one is configured (db.migration.user / .password, in a
        // cluster DB_MIGRATION_USER / DB_MIGRATION_PASSWORD), so the pool's role needs no more than reading and
        // writing rows: a service that is compromised cannot change or drop its schema. Locally, one role.
        String migrationUser = db.get("migration.user").asString().orElse(user);
        String migrationPassword = db.get("migration.user").exists()
                ? db.get("migration.password").asString().orElse("")
                : password;
        String migrations = migrations(db);
        // The migrations (Flyway: a connection of its own, the schema history, the scripts) and the client
        // below (the pool, and with it the first use of the metrics registry) do not depend on each other:
        // they run side by side, and open() returns once both are done, so the server still takes no
        // traffic before the schema is current. Measured at start-up: each is about a sixth of it.
        var migration = ServiceLauncher.inBackground("migrate", () -> {
            migrate(url, migrationUser, migrationPassword, migrations);
            return null;
        });

        Map<String, String> settings = new HashMap<>();
        settings.put("source", "jdbc");
        settings.put("connection.url", url);
        settings.put("connection.username", user);
        settings.put("connection.password", password);
        settings.put("connection.maximumPoolSize", db.get("pool.size").asString().orElse("10"));
        settings.put("connection.minimumIdle", db.get("pool.min-idle").asString().orElse("2"));
        settings.put("connection.connectionTimeout", String.valueOf(
                db.get("pool.timeout").as(Duration.class).orElse(Duration.ofMillis(500)).toMillis()));
        settings.put("connection.validationTimeout", "1000");
        settings.put("connection.poolName", db.get("pool.name").asString().orElse("db"));
        // Fail fast instead of refusing to start while the database is still coming up: readiness says so.
        settings.put("connection.initializationFailTimeout", "-1");
        Config clientConfig = Config.just(ConfigSources.create(settings));
        DbClient client = DbClient.builder(clientConfig)
                .addService(DbClientTracing.create())
                // One timer per statement kind (query, insert, ...), not per statement name: a few series per
                // service, which the dashboards sum; the statement names are on the database spans.
                .addService(DbClientMetrics.timer()
                        .nameFormat((name, type) -> "meshshop.db.statements." + type.name().toLowerCase(Locale.ROOT))
                        .build())
                .build();
        try {
            ServiceLauncher.await(migration);
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
        return client;
    }

    /**
     * The JDBC URL the service connects with: {@code db.url}, for H2 with {@code DATABASE_TO_LOWER}. H2
     * reports unquoted identifiers in upper case, PostgreSQL in lower case, and DbClient looks columns up
     * by exact name: H2 is told to behave like PostgreSQL so one store reads both
     * (docs/helidon-workarounds.md#column-names-on-h2). A second connection to
     * the same in-memory H2 (a test reading what the service stored) must use this URL too: H2 refuses one
     * whose settings differ.
     */
    public static String url(Config db) {
        return h2LowerCase(db.get("url").asString().get());
    }

    /** The class-path folder of the service's own migrations, {@code db.migrations}. */
    public static String migrations(Config db) {
        return db.get("migrations").asString().orElse(DEFAULT_MIGRATIONS);
    }

    static String h2LowerCase(String url) {
        if (url.startsWith("jdbc:h2:") && !url.toUpperCase(Locale.ROOT).contains("DATABASE_TO_LOWER")) {
            return url + ";DATABASE_TO_LOWER=TRUE";
        }
        return url;
    }

    /** Applies the shared migrations ({@code db/common}) and those of {@value #DEFAULT_MIGRATIONS}. */
    public static void migrate(String url, String user, String password) {
        migrate(url, user, password, DEFAULT_MIGRATIONS);
    }

    /** Applies the shared migrations ({@code db/common}) and the service's, from the class-path folder given. */
    public static void migrate(String url, String user, String password, String migrations) {
        Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:" + SHARED_MIGRATIONS, "classpath:" + migrations)
                .connectRetries(10)
                .load()
                .migrate();
    }
}
