package io.meshshop.common.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Assumptions;

/**
 * Fresh databases for tests: an in-memory H2 per call, or a new PostgreSQL database per call on the
 * server named by {@code MESHSHOP_TEST_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/postgres},
 * user {@code MESHSHOP_TEST_PG_USER} or postgres). Created databases are dropped when the JVM exits.
 *
 * <p>PostgreSQL tests run whenever the server is reachable. When it is not, they are skipped on a laptop
 * but fail when {@code CI=true} or {@code -Dmeshshop.test.require-postgres=true}, so CI can never pass
 * without having run them.
 */
public final class TestDatabases {

    private static final String ADMIN_URL = env("MESHSHOP_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private static final String ADMIN_USER = env("MESHSHOP_TEST_PG_USER", "postgres");
    private static final String ADMIN_PASSWORD = env("MESHSHOP_TEST_PG_PASSWORD", "");
    private static final List<String> CREATED = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::dropCreated, "drop-test-databases"));
    }

    private TestDatabases() {
    }

    /** The service's application.yaml with its database replaced by a fresh in-memory H2. */
    public static Config h2(String service) {
        return h2(service, Map.of());
    }

    public static Config h2(String service, Map<String, String> overrides) {
        return serviceConfig(withH2(service, overrides));
    }

    /**
     * As {@link #h2(String, Map)}, with the application.yaml and OpenAPI document of the jar that holds
     * {@code main}: for a test that runs several services in one JVM.
     */
    public static Config h2(Class<?> main, String service, Map<String, String> overrides) {
        return serviceConfig(main, withH2(service, overrides));
    }

    /** The service's application.yaml with its database replaced by a new, empty PostgreSQL database. */
    public static Config postgres(String service) {
        return postgres(service, Map.of());
    }

    public static Config postgres(String service, Map<String, String> overrides) {
        return serviceConfig(withPostgres(service, overrides));
    }

    /** As {@link #postgres(String, Map)}, with the resources of the jar that holds {@code main}. */
    public static Config postgres(Class<?> main, String service, Map<String, String> overrides) {
        return serviceConfig(main, withPostgres(service, overrides));
    }

    private static Map<String, String> withH2(String service, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(overrides);
        settings.put("db.url", "jdbc:h2:mem:" + service + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        settings.put("db.user", "sa");
        settings.put("db.password", "");
        return settings;
    }

    private static Map<String, String> withPostgres(String service, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(overrides);
        settings.putAll(newPostgresDatabase(service));
        return settings;
    }

    /** Creates a database and answers its {@code db.url}, {@code db.user}, {@code db.password}. */
    public static Map<String, String> newPostgresDatabase(String service) {
        String name = ("meshshop_test_" + service + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
                .toLowerCase(Locale.ROOT);
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, ADMIN_USER, ADMIN_PASSWORD);
             Statement sql = admin.createStatement()) {
            sql.execute("CREATE DATABASE " + name);
            CREATED.add(name);
        } catch (SQLException e) {
            if (postgresRequired()) {
                throw new AssertionError("PostgreSQL is required (CI=true) but " + ADMIN_URL + " is not usable: "
                                         + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL not reachable at " + ADMIN_URL + "; skipping (set CI=true to require it)");
        }
        String url = ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name;
        return Map.of("db.url", url, "db.user", ADMIN_USER, "db.password", ADMIN_PASSWORD);
    }

    public static boolean postgresRequired() {
        return "true".equalsIgnoreCase(System.getenv("CI"))
               || Boolean.getBoolean("meshshop.test.require-postgres");
    }

    /**
     * Test config: overrides, then the class path's application.yaml (the service's own, in a module that
     * tests one service); the environment is ignored.
     */
    public static Config serviceConfig(Map<String, String> overrides) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(testSettings(overrides)))
                .addSource(ConfigSources.classpath("application.yaml"))
                .build();
    }

    /**
     * Test config: overrides, then the application.yaml of the jar that holds {@code main}, whose OpenAPI
     * document the server serves too ({@link ShippedResources}); the environment is ignored.
     */
    public static Config serviceConfig(Class<?> main, Map<String, String> overrides) {
        Map<String, String> settings = testSettings(overrides);
        settings.putIfAbsent("openapi.static-file", ShippedResources.openApiFile(main));
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(settings))
                .addSource(ConfigSources.url(ShippedResources.of(main, "application.yaml")))
                .build();
    }

    private static Map<String, String> testSettings(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(overrides);
        settings.putIfAbsent("server.port", "0");
        settings.putIfAbsent("shutdown.drain", "PT0S");
        // Stopping a test server must not wait for the test clients' idle keep-alive connections.
        settings.putIfAbsent("server.shutdown-grace-period", "PT0S");
        return settings;
    }

    private static void dropCreated() {
        if (CREATED.isEmpty()) {
            return;
        }
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, ADMIN_USER, ADMIN_PASSWORD);
             Statement sql = admin.createStatement()) {
            for (String name : CREATED) {
                sql.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            System.err.println("Could not drop test databases " + CREATED + ": " + e.getMessage());
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
