package io.meshshop.reliability.check;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the order and payment databases and reports every place where they disagree about money:
 * <ul>
 *     <li>an order {@code PAID} without exactly one capture of the same amount and currency;</li>
 *     <li>a capture without an order, or for a {@code CANCELLED} order without a full refund, or for a
 *     {@code PAYMENT_DECLINED} order;</li>
 *     <li>refunds above their capture (and refund rows that do not add up to the payment's total);</li>
 *     <li>orders still owing a charge or a refund ({@code PENDING}, {@code CANCELLING}) after recovery
 *     had {@code pendingGrace} to settle them;</li>
 *     <li>more than one order for one Idempotency-Key of one customer.</li>
 * </ul>
 * The queries live in {@link Schema}. Used by every suite in-process and by
 * {@code reliability/check-consistency.sh} as a command (exit status 1 on any finding, 2 when a database
 * could not be read).
 */
public final class ConsistencyCheck {

    /**
     * What the checker was told to read, and as whom: each database with its own role (a cluster's databases
     * have a password each).
     */
    public record Target(String orderUrl, String orderUser, String orderPassword,
                         String paymentUrl, String paymentUser, String paymentPassword) {

        /** Both databases read with one role, as the suites' PostgreSQL does. */
        public Target(String orderUrl, String paymentUrl, String user, String password) {
            this(orderUrl, user, password, paymentUrl, user, password);
        }
    }

    /** A parsed command line: what to read and how late an order may settle, or why there is nothing to run. */
    record Command(Target target, Duration pendingGrace, String error) {
    }

    /** Everything the checker found, and how much it read. */
    public record Result(List<Finding> findings, int orders, int payments, int refunds) {

        public boolean clean() {
            return findings.isEmpty();
        }

        public long count(String kind) {
            return findings.stream().filter(f -> f.kind().equals(kind)).count();
        }

        public void print(PrintStream out) {
            findings.forEach(out::println);
            out.println("consistency: " + orders + " orders, " + payments + " payments, " + refunds
                        + " refunds read; " + findings.size() + " finding(s)");
        }
    }

    private record OrderRow(String id, String status, String owed, long totalMinor, String currency,
                            String paymentId, Instant createdAt) {
    }

    private record PaymentRow(String id, String orderId, long amountMinor, String currency, String status,
                              long refundedMinor) {
    }

    private record RefundSum(int count, long totalMinor) {
    }

    private ConsistencyCheck() {
    }

    /**
     * Reads both databases and compares them.
     *
     * @param pendingGrace how long an order may still owe a charge or refund before that is a finding; the
     *                     suites pass zero after they waited for recovery, the command a minute by default
     * @throws SQLException when a database cannot be read (unreachable, or the schema changed: see Schema)
     */
    public static Result run(Target target, Duration pendingGrace) throws SQLException {
        Map<String, OrderRow> orders = new LinkedHashMap<>();
        List<String> duplicateKeys = new ArrayList<>();
        Instant orderDbNow;
        try (Connection db = connect(target.orderUrl(), target.orderUser(), target.orderPassword());
             Statement sql = db.createStatement()) {
            // One snapshot of the order database, so a settle that commits mid-read cannot look like a finding.
            db.setAutoCommit(false);
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (ResultSet now = sql.executeQuery(Schema.ORDER_DB_NOW)) {
                now.next();
                orderDbNow = now.getTimestamp("now").toInstant();
            }
            try (ResultSet rows = sql.executeQuery(Schema.ORDERS)) {
                while (rows.next()) {
                    OrderRow order = new OrderRow(rows.getString("id"), rows.getString("status"),
                            rows.getString("owed"), rows.getLong("total_minor"), rows.getString("currency"),
                            rows.getString("payment_id"), instant(rows.getTimestamp("created_at")));
                    orders.put(order.id(), order);
                }
            }
            try (ResultSet rows = sql.executeQuery(Schema.DUPLICATE_ORDER_KEYS)) {
                while (rows.next()) {
                    duplicateKeys.add(rows.getString("idem_key") + " placed " + rows.getLong("orders") + " orders for user "
                                      + rows.getString("user_id"));
                }
            }
            db.rollback();
        }

        Map<String, List<PaymentRow>> capturesByOrder = new HashMap<>();
        Map<String, PaymentRow> payments = new LinkedHashMap<>();
        Map<String, RefundSum> refunds = new HashMap<>();
        try (Connection db = connect(target.paymentUrl(), target.paymentUser(), target.paymentPassword());
             Statement sql = db.createStatement()) {
            db.setAutoCommit(false);
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (ResultSet rows = sql.executeQuery(Schema.PAYMENTS)) {
                while (rows.next()) {
                    PaymentRow payment = new PaymentRow(rows.getString("id"), rows.getString("order_id"),
                            rows.getLong("amount_minor"), rows.getString("currency"), rows.getString("status"),
                            rows.getLong("refunded_minor"));
                    payments.put(payment.id(), payment);
                    if (Schema.isCapture(payment.status())) {
                        capturesByOrder.computeIfAbsent(payment.orderId(), k -> new ArrayList<>()).add(payment);
                    }
                }
            }
            try (ResultSet rows = sql.executeQuery(Schema.REFUNDS_BY_PAYMENT)) {
                while (rows.next()) {
                    refunds.put(rows.getString("payment_id"),
                            new RefundSum(rows.getInt("refunds"), rows.getLong("total_minor")));
                }
            }
            db.rollback();
        }

        List<Finding> findings = new ArrayList<>();
        for (String duplicate : duplicateKeys) {
            findings.add(new Finding(Finding.DUPLICATE_ORDER_KEY, "Idempotency-Key " + duplicate));
        }
        for (OrderRow order : orders.values()) {
            checkOrder(order, capturesByOrder.getOrDefault(order.id(), List.of()), payments, orderDbNow,
                    pendingGrace, findings);
        }
        for (Map.Entry<String, List<PaymentRow>> captures : capturesByOrder.entrySet()) {
            if (!orders.containsKey(captures.getKey())) {
                for (PaymentRow capture : captures.getValue()) {
                    findings.add(new Finding(Finding.CAPTURE_WITHOUT_ORDER, "payment " + capture.id() + " captured "
                            + capture.amountMinor() + " " + capture.currency() + " for order " + capture.orderId()
                            + ", which the order database does not have"));
                }
            }
        }
        int refundRows = 0;
        for (PaymentRow payment : payments.values()) {
            RefundSum sum = refunds.getOrDefault(payment.id(), new RefundSum(0, 0));
            refundRows += sum.count();
            checkRefunds(payment, sum, findings);
        }
        for (String paymentId : refunds.keySet()) {
            if (!payments.containsKey(paymentId)) {
                findings.add(new Finding(Finding.REFUNDS_EXCEED_CAPTURE, "refunds of payment " + paymentId
                        + ", which does not exist"));
            }
        }
        return new Result(findings, orders.size(), payments.size(), refundRows);
    }

    private static void checkOrder(OrderRow order, List<PaymentRow> captures, Map<String, PaymentRow> payments,
                                   Instant now, Duration pendingGrace, List<Finding> findings) {
        String which = "order " + order.id() + " (" + order.status() + ", " + order.totalMinor() + " "
                       + order.currency() + ")";
        if (captures.size() > 1) {
            findings.add(new Finding(Finding.DOUBLE_CAPTURE, which + " has " + captures.size() + " captures: "
                    + captures.stream().map(PaymentRow::id).toList()));
        }
        switch (order.status()) {
            case "PAID" -> {
                if (captures.isEmpty()) {
                    findings.add(new Finding(Finding.PAID_WITHOUT_CAPTURE, which + " has no capture"));
                }
                for (PaymentRow capture : captures) {
                    if (capture.amountMinor() != order.totalMinor() || !capture.currency().equals(order.currency())
                        || !capture.id().equals(order.paymentId())) {
                        findings.add(new Finding(Finding.CAPTURE_MISMATCH, which + " records payment "
                                + order.paymentId() + " but capture " + capture.id() + " is "
                                + capture.amountMinor() + " " + capture.currency()));
                    }
                    if (capture.refundedMinor() > 0) {
                        findings.add(new Finding(Finding.PAID_BUT_REFUNDED, which + " is PAID but capture "
                                + capture.id() + " was refunded " + capture.refundedMinor()));
                    }
                }
            }
            case "CANCELLED" -> {
                for (PaymentRow capture : captures) {
                    if (capture.refundedMinor() < capture.amountMinor()) {
                        findings.add(new Finding(Finding.CANCELLED_NOT_REFUNDED, which + " kept "
                                + (capture.amountMinor() - capture.refundedMinor()) + " of capture " + capture.id()));
                    }
                }
            }
            case "PAYMENT_DECLINED" -> {
                for (PaymentRow capture : captures) {
                    findings.add(new Finding(Finding.CAPTURE_OF_DECLINED_ORDER, which + " says declined but capture "
                            + capture.id() + " took " + capture.amountMinor() + " " + capture.currency()));
                }
                PaymentRow decline = order.paymentId() == null ? null : payments.get(order.paymentId());
                if (decline == null || Schema.isCapture(decline.status())) {
                    findings.add(new Finding(Finding.DECLINED_WITHOUT_DECLINE, which + " records payment "
                            + order.paymentId() + ", which is not a decline at payment"));
                }
            }
            default -> {
                // PENDING and CANCELLING owe something; whether that is late is decided below.
            }
        }
        if (order.owed() != null && order.createdAt().plus(pendingGrace).isBefore(now)) {
            findings.add(new Finding(Finding.UNSETTLED_ORDER, which + " still owes a " + order.owed() + " "
                    + Duration.between(order.createdAt(), now).toSeconds() + " s after it was placed"));
        }
    }

    private static void checkRefunds(PaymentRow payment, RefundSum sum, List<Finding> findings) {
        String which = "payment " + payment.id() + " of order " + payment.orderId() + " (" + payment.status() + ", "
                       + payment.amountMinor() + " " + payment.currency() + ")";
        if (!Schema.isCapture(payment.status()) && sum.count() > 0) {
            findings.add(new Finding(Finding.REFUND_OF_DECLINE, which + " has " + sum.count() + " refunds"));
        }
        if (sum.totalMinor() > payment.amountMinor() || payment.refundedMinor() > payment.amountMinor()) {
            findings.add(new Finding(Finding.REFUNDS_EXCEED_CAPTURE, which + " refunded " + sum.totalMinor()
                    + " in " + sum.count() + " refunds (recorded total " + payment.refundedMinor() + ")"));
        }
        if (sum.totalMinor() != payment.refundedMinor()) {
            findings.add(new Finding(Finding.REFUND_TOTAL_MISMATCH, which + " records " + payment.refundedMinor()
                    + " refunded but its refunds add up to " + sum.totalMinor()));
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /**
     * Read only: the checker compares, it never repairs, and a cluster may give it a role that could write
     * (the services' own data role) for want of a read-only one.
     */
    private static Connection connect(String url, String user, String password) throws SQLException {
        Connection db = DriverManager.getConnection(url, user, password);
        try {
            db.setReadOnly(true);
            return db;
        } catch (SQLException e) {
            db.close();
            throw e;
        }
    }

    /**
     * {@code check [--order-db URL] [--payment-db URL] [--db-user U] [--db-password P] [--order-db-user U]
     * [--order-db-password P] [--payment-db-user U] [--payment-db-password P] [--pending-grace PT60S]}; each also
     * from the environment: ORDER_DB_URL, PAYMENT_DB_URL, DB_USER, DB_PASSWORD, ORDER_DB_USER, ORDER_DB_PASSWORD,
     * PAYMENT_DB_USER, PAYMENT_DB_PASSWORD, PENDING_GRACE.
     */
    public static int main(List<String> args, PrintStream out) {
        Command command = parse(args, System.getenv());
        if (command.error() != null) {
            out.println(command.error());
            return 2;
        }
        try {
            Result result = run(command.target(), command.pendingGrace());
            result.print(out);
            return result.clean() ? 0 : 1;
        } catch (SQLException e) {
            out.println("check: could not read the databases (" + e.getSQLState() + "): " + e.getMessage()
                        + "\n  if a migration changed a table, update reliability/src/main/java/io/meshshop/reliability/check/Schema.java");
            return 2;
        }
    }

    /**
     * The command line over the environment, and for each database its own role over the shared one: per
     * database, --order-db-user, then --db-user, then ORDER_DB_USER, then DB_USER, then postgres (likewise
     * for passwords, with an empty one last), so an argument always wins over what the environment says.
     */
    static Command parse(List<String> args, Map<String, String> environment) {
        // An empty variable (as a Secret key left empty, or `FOO= cmd`) counts as not set.
        Map<String, String> env = new HashMap<>();
        environment.forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                env.put(name, value);
            }
        });
        List<String> names = List.of("--order-db", "--payment-db", "--db-user", "--db-password", "--order-db-user",
                "--order-db-password", "--payment-db-user", "--payment-db-password", "--pending-grace");
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (!names.contains(name) || i + 1 >= args.size()) {
                return new Command(null, null, "usage: check --order-db JDBC_URL --payment-db JDBC_URL [--db-user U]"
                        + " [--db-password P] [--order-db-user U] [--order-db-password P] [--payment-db-user U]"
                        + " [--payment-db-password P] [--pending-grace PT60S]");
            }
            given.put(name, args.get(++i));
        }
        String orderUrl = first(given.get("--order-db"), env.get("ORDER_DB_URL"));
        String paymentUrl = first(given.get("--payment-db"), env.get("PAYMENT_DB_URL"));
        if (orderUrl == null || paymentUrl == null) {
            return new Command(null, null, "check: give --order-db and --payment-db (or ORDER_DB_URL and PAYMENT_DB_URL)");
        }
        Duration grace;
        try {
            grace = Duration.parse(first(given.get("--pending-grace"), env.get("PENDING_GRACE"), "PT60S"));
        } catch (DateTimeParseException e) {
            return new Command(null, null, "check: --pending-grace is an ISO-8601 duration such as PT60S");
        }
        Target target = new Target(orderUrl,
                first(given.get("--order-db-user"), given.get("--db-user"), env.get("ORDER_DB_USER"), env.get("DB_USER"),
                        "postgres"),
                first(given.get("--order-db-password"), given.get("--db-password"), env.get("ORDER_DB_PASSWORD"),
                        env.get("DB_PASSWORD"), ""),
                paymentUrl,
                first(given.get("--payment-db-user"), given.get("--db-user"), env.get("PAYMENT_DB_USER"),
                        env.get("DB_USER"), "postgres"),
                first(given.get("--payment-db-password"), given.get("--db-password"), env.get("PAYMENT_DB_PASSWORD"),
                        env.get("DB_PASSWORD"), ""));
        return new Command(target, grace, null);
    }

    /** The first value given; an empty argument counts (an empty password). */
    private static String first(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
