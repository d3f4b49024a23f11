package io.meshshop.reliability.check;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker's command line and environment: one role for both databases (reliability/run.sh, CI), or a role per
 * database (the cluster's Job, whose databases have a password each), arguments over the environment.
 */
class ConsistencyCheckArgumentsTest {

    private static final List<String> URLS = List.of("--order-db", "jdbc:postgresql://o/order", "--payment-db",
            "jdbc:postgresql://p/payment");

    @Test
    void oneRoleForBothDatabasesAsBefore() {
        ConsistencyCheck.Target target = parse(with("--db-user", "checker", "--db-password", "secret"), Map.of()).target();
        assertEquals(new ConsistencyCheck.Target("jdbc:postgresql://o/order", "checker", "secret",
                "jdbc:postgresql://p/payment", "checker", "secret"), target);
    }

    @Test
    void withoutAnyRoleThePostgresUserWithoutPassword() {
        ConsistencyCheck.Command command = parse(URLS, Map.of());
        assertEquals(new ConsistencyCheck.Target("jdbc:postgresql://o/order", "postgres", "",
                "jdbc:postgresql://p/payment", "postgres", ""), command.target());
        assertEquals(Duration.ofSeconds(60), command.pendingGrace());
    }

    @Test
    void aRolePerDatabaseOverTheSharedOne() {
        ConsistencyCheck.Target target = parse(with("--db-user", "shared", "--db-password", "shared-pw",
                "--order-db-user", "order_app", "--payment-db-password", "payment-pw"), Map.of()).target();
        assertEquals("order_app", target.orderUser());
        assertEquals("shared-pw", target.orderPassword(), "no order password given: the shared one");
        assertEquals("shared", target.paymentUser(), "no payment user given: the shared one");
        assertEquals("payment-pw", target.paymentPassword());
    }

    @Test
    void everythingFromTheEnvironmentAsTheJobGivesIt() {
        ConsistencyCheck.Command command = parse(List.of(), Map.of("ORDER_DB_URL", "jdbc:postgresql://order-db:5432/order",
                "PAYMENT_DB_URL", "jdbc:postgresql://payment-db:5432/payment", "ORDER_DB_USER", "order_app",
                "ORDER_DB_PASSWORD", "o-pw", "PAYMENT_DB_USER", "payment_app", "PAYMENT_DB_PASSWORD", "p-pw",
                "PENDING_GRACE", "PT2M"));
        assertEquals(new ConsistencyCheck.Target("jdbc:postgresql://order-db:5432/order", "order_app", "o-pw",
                "jdbc:postgresql://payment-db:5432/payment", "payment_app", "p-pw"), command.target());
        assertEquals(Duration.ofMinutes(2), command.pendingGrace());
    }

    @Test
    void argumentsWinOverTheEnvironmentAndEmptyVariablesCountAsUnset() {
        Map<String, String> env = Map.of("ORDER_DB_USER", "order_app", "DB_USER", "env-shared", "DB_PASSWORD", "env-pw",
                "PAYMENT_DB_USER", " ", "ORDER_DB_URL", "jdbc:postgresql://env/order");
        ConsistencyCheck.Target target = parse(with("--db-user", "arg-shared"), env).target();
        assertEquals("jdbc:postgresql://o/order", target.orderUrl(), "the argument, not ORDER_DB_URL");
        assertEquals("arg-shared", target.orderUser(), "--db-user on the command line wins over ORDER_DB_USER");
        assertEquals("arg-shared", target.paymentUser());
        assertEquals("env-pw", target.orderPassword(), "no password argument: the environment's shared one");

        ConsistencyCheck.Target fromEnv = parse(URLS, env).target();
        assertEquals("order_app", fromEnv.orderUser(), "ORDER_DB_USER over DB_USER");
        assertEquals("env-shared", fromEnv.paymentUser(), "a blank PAYMENT_DB_USER counts as unset");
    }

    @Test
    void anEmptyPasswordArgumentIsAPassword() {
        ConsistencyCheck.Target target = parse(with("--order-db-password", ""), Map.of("DB_PASSWORD", "env-pw")).target();
        assertEquals("", target.orderPassword());
        assertEquals("env-pw", target.paymentPassword());
    }

    @Test
    void badUsageSaysWhy() {
        assertTrue(parse(List.of("--order-db", "jdbc:postgresql://o/order"), Map.of()).error().contains("--payment-db"),
                "a missing database");
        assertTrue(parse(with("--order-user", "x"), Map.of()).error().startsWith("usage:"), "an unknown option");
        assertTrue(parse(with("--payment-db-user"), Map.of()).error().startsWith("usage:"), "an option without value");
        assertTrue(parse(with("--pending-grace", "60"), Map.of()).error().contains("PT60S"), "not a duration");
        assertNull(parse(URLS, Map.of()).error());
    }

    private static ConsistencyCheck.Command parse(List<String> args, Map<String, String> env) {
        return ConsistencyCheck.parse(args, env);
    }

    private static List<String> with(String... more) {
        List<String> args = new java.util.ArrayList<>(URLS);
        args.addAll(List.of(more));
        return args;
    }
}
