package io.meshshop.manifests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dev databases' roles script (k8s/overlays/dev/databases/postgres/init/create-roles.sh), run as the postgres
 * image runs it, against a real PostgreSQL: the owner can change the schema, the service's role can read and write
 * rows and nothing more. Uses the server the services' tests use (127.0.0.1:5432, user postgres, trust; override with
 * MESHSHOP_TEST_PG_URL and MESHSHOP_TEST_PG_USER) and psql. Without a reachable server it is skipped on a laptop and
 * fails in CI (CI=true), like the services' PostgreSQL tests.
 */
class DatabaseRolesTest {

    static final String SCRIPT = "k8s/overlays/dev/databases/postgres/init/create-roles.sh";

    private static final String SUFFIX = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private static final String DATABASE = "meshshop_roles_" + SUFFIX;
    private static final String OWNER = "shop_owner_" + SUFFIX;
    private static final String APP = "shop_app_" + SUFFIX;
    private static String host;
    private static int port;
    private static String admin;

    @BeforeAll
    static void createDatabaseAndRunTheScript() throws Exception {
        URI url = URI.create(System.getenv().getOrDefault("MESHSHOP_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres")
                .substring("jdbc:".length()));
        host = url.getHost();
        port = url.getPort() < 0 ? 5432 : url.getPort();
        admin = System.getenv().getOrDefault("MESHSHOP_TEST_PG_USER", "postgres");
        boolean reachable;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            reachable = true;
        } catch (IOException e) {
            reachable = false;
        }
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(reachable, "no PostgreSQL at " + host + ":" + port + " (mandatory in CI)");
        }
        assertTrue(reachable, "PostgreSQL at " + host + ":" + port + " is required in CI");
        psqlAs(admin, "postgres", "CREATE DATABASE " + DATABASE).assertSucceeded();
        // As the image's entrypoint runs it: as the superuser, after POSTGRES_DB exists. Passwords with quotes, to
        // show that no value is pasted into SQL text.
        Result script = run(List.of("bash", Repo.path(SCRIPT).toString()), Map.of(
                "PGHOST", host, "PGPORT", String.valueOf(port),
                "POSTGRES_USER", admin, "POSTGRES_DB", DATABASE,
                "MESHSHOP_MIGRATION_USER", OWNER, "MESHSHOP_MIGRATION_PASSWORD", "o'wner \"pass\"; DROP ROLE x; --",
                "MESHSHOP_APP_USER", APP, "MESHSHOP_APP_PASSWORD", "a'pp"), "");
        script.assertSucceeded();
        // The migrations, as Flyway would run them with the owner's credentials.
        psqlAs(OWNER, DATABASE, "CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, status TEXT NOT NULL);"
                + " CREATE INDEX orders_status ON orders (status)").assertSucceeded();
    }

    @AfterAll
    static void dropDatabaseAndRoles() throws Exception {
        if (admin != null) {
            psqlAs(admin, "postgres", "DROP DATABASE IF EXISTS " + DATABASE);
            psqlAs(admin, "postgres", "DROP ROLE IF EXISTS " + APP);
            psqlAs(admin, "postgres", "DROP ROLE IF EXISTS " + OWNER);
        }
    }

    @Test
    void theServicesRoleReadsAndWritesRows() throws Exception {
        Result rows = psqlAs(APP, DATABASE, "INSERT INTO orders (status) VALUES ('PENDING');"
                + " UPDATE orders SET status = 'PAID'; SELECT count(*) FROM orders WHERE status = 'PAID';"
                + " DELETE FROM orders; SELECT count(*) FROM orders");
        rows.assertSucceeded();
        assertEquals(List.of("1", "0"), rows.lines(), "insert, update, select, delete as the service's role (sequence included)");
    }

    @Test
    void theServicesRoleCannotChangeTheSchema() throws Exception {
        for (String ddl : List.of("CREATE TABLE x (i INT)", "DROP TABLE orders", "ALTER TABLE orders ADD COLUMN x INT",
                "TRUNCATE orders", "DROP INDEX orders_status", "CREATE SCHEMA x")) {
            Result r = psqlAs(APP, DATABASE, ddl);
            assertTrue(r.exit() != 0 && (r.output().contains("permission denied") || r.output().contains("must be owner")),
                    "the service's role ran: " + ddl + " -> " + r.output());
        }
    }

    @Test
    void theOwnerOwnsTheDatabaseAndNobodyElseMayConnect() throws Exception {
        Result owner = psqlAs(admin, DATABASE, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database();"
                + " SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'public';"
                + " SELECT has_database_privilege('public', current_database(), 'CONNECT')");
        owner.assertSucceeded();
        assertEquals(List.of(OWNER, OWNER, "f"), owner.lines(), "database owner, schema owner, PUBLIC's CONNECT");
        Result roles = psqlAs(admin, "postgres", "SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname IN ('"
                + OWNER + "', '" + APP + "')");
        roles.assertSucceeded();
        assertEquals(List.of("f", "f"), roles.lines(), "neither role is a superuser or may create databases or roles");
    }

    private record Result(int exit, String output) {

        List<String> lines() {
            return output.lines().filter(l -> !l.isBlank()).toList();
        }

        void assertSucceeded() {
            assertEquals(0, exit, output);
        }
    }

    private static Result psqlAs(String user, String database, String sql) throws Exception {
        return run(List.of("psql", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--no-align", "--tuples-only", "--quiet",
                "--host", host, "--port", String.valueOf(port), "--username", user, "--dbname", database, "--file", "-"), Map.of(),
                // Each statement on its own line of the input: psql prints every result (--command prints the last only).
                sql.replace("; ", ";\n") + ";\n");
    }

    private static Result run(List<String> command, Map<String, String> env, String input) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return fail(command.get(0) + " cannot run (" + e.getMessage() + "): install PostgreSQL's client (Debian: postgresql-client)");
        }
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return fail(command + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }
}
