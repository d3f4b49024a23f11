package io.meshshop.reliability.harness;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The PostgreSQL server at 127.0.0.1:5432 (override with RELIABILITY_PG_URL / _USER / _PASSWORD). Every
 * suite creates its own databases ({@code meshshop_rel_...}) and drops them when it ends, so nothing here
 * touches another engineer's databases; an outage is made by blocking only our own databases.
 */
public final class Postgres {

    private static final String ADMIN_URL = env("RELIABILITY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final String USER = env("RELIABILITY_PG_USER", "postgres");
    public static final String PASSWORD = env("RELIABILITY_PG_PASSWORD", "");

    private final List<String> created = new CopyOnWriteArrayList<>();
    private static final List<Postgres> ALL = new CopyOnWriteArrayList<>();

    static {
        // A run cut short (Ctrl-C, SIGTERM) still drops what it created.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Postgres::dropAll), "drop-databases"));
    }

    public Postgres() {
        ALL.add(this);
    }

    /** A new empty database for {@code service} of {@code suite}; dropped by {@link #dropAll()}. */
    public String createDatabase(String suite, String service) {
        String name = ("meshshop_rel_" + suite + "_" + service + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        try (Connection admin = admin(); Statement sql = admin.createStatement()) {
            sql.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + ADMIN_URL + " is not usable: " + e.getMessage(), e);
        }
        created.add(name);
        return name;
    }

    public static String url(String database) {
        return ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + database;
    }

    /**
     * Blocks (false) or unblocks (true) a database: no new connections, and (when blocking) every open
     * session is terminated, which is what the service sees when its database goes away.
     */
    public void allowConnections(String database, boolean allow) {
        try (Connection admin = admin(); Statement sql = admin.createStatement()) {
            sql.execute("ALTER DATABASE " + database + " WITH ALLOW_CONNECTIONS " + allow);
            if (!allow) {
                try (PreparedStatement kill = admin.prepareStatement(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?")) {
                    kill.setString(1, database);
                    kill.execute();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not " + (allow ? "unblock " : "block ") + database, e);
        }
    }

    /** Sessions open on {@code database} now (the services' pools), or -1 when PostgreSQL cannot say. */
    public int connections(String database) {
        try (Connection admin = admin();
             PreparedStatement sql = admin.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ?")) {
            sql.setString(1, database);
            try (ResultSet rows = sql.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            return -1;
        }
    }

    /** One number from {@code query} on {@code database} (a row count, say). */
    public long count(String database, String query) {
        try (Connection db = DriverManager.getConnection(url(database), USER, PASSWORD);
             Statement sql = db.createStatement();
             ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not run " + query + " on " + database + ": " + e.getMessage(), e);
        }
    }

    /** Drops every database this instance created (unblocking first, killing leftover sessions). */
    public void dropAll() {
        for (String name : created) {
            try (Connection admin = admin(); Statement sql = admin.createStatement()) {
                sql.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true");
                sql.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("Could not drop " + name + ": " + e.getMessage());
            }
        }
        created.clear();
    }

    /**
     * Stops the whole PostgreSQL cluster for {@code down} and starts it again, always, even when stopping
     * failed half-way: other engineers' tests use this server. Only with {@code --pg-restart}; the default
     * outage blocks our own databases instead.
     */
    public static void restartCluster(Duration down) throws IOException, InterruptedException {
        String version;
        try (var versions = java.nio.file.Files.list(java.nio.file.Path.of("/etc/postgresql"))) {
            version = versions.map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b).orElseThrow();
        }
        try {
            run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop");
            Thread.sleep(down.toMillis());
        } finally {
            run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start");
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 60 s");
        }
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
