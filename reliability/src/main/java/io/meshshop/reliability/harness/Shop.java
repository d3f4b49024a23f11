package io.meshshop.reliability.harness;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.meshshop.reliability.check.ConsistencyCheck;
import io.meshshop.reliability.load.Answer;
import io.meshshop.reliability.load.Api;
import io.meshshop.reliability.load.Customer;
import io.meshshop.reliability.load.Placement;
import io.meshshop.reliability.load.Tally;
import io.meshshop.reliability.proxy.FaultProxy;
import io.meshshop.reliability.proxy.MeshSettings;

/**
 * The whole system as one suite runs it: three PostgreSQL databases of its own, the three services as
 * processes, and a fault proxy on every edge a sidecar would sit on:
 * <pre>
 *   client ──ingress──▶ order ──toUser──▶ user
 *      └────ingressUser──▶ user     └──toPayment──▶ payment
 * </pre>
 * With {@code mesh} on, each proxy answers like Envoy with the routes of our mesh/ files (ingress:
 * ingress-public-api-routes.yaml; order's calls: user- and payment-timeouts-and-retries.yaml; outlier
 * thresholds from the *-circuit-breaker.yaml DestinationRules).
 *
 * <p>Customers sign in: every user instance signs tokens with the suite's one key file ({@link SigningKeys}),
 * and order fetches the public keys from {@code /.well-known/jwks.json} through its proxy to user, as it
 * does through its sidecar in the cluster.
 */
public final class Shop implements AutoCloseable {

    /** How the suite wants the system. */
    public static final class Options {
        int orders = 1;
        int users = 1;
        int payments = 1;
        boolean mesh = true;
        final Map<String, String> orderEnv = new LinkedHashMap<>();
        final Map<String, String> userEnv = new LinkedHashMap<>();
        final Map<String, String> allEnv = new LinkedHashMap<>();

        public Options() {
            // Recovery looks every second instead of every 5 s so that suites settle sooner; the age (how long
            // the creating request owns its order) stays the service's default.
            orderEnv.put("RECOVERY_INTERVAL", "PT1S");
        }

        public Options instances(int orderInstances, int userInstances, int paymentInstances) {
            orders = orderInstances;
            users = userInstances;
            payments = paymentInstances;
            return this;
        }

        public Options mesh(boolean imitateMesh) {
            mesh = imitateMesh;
            return this;
        }

        /** An environment variable for the order instances (e.g. RECOVERY_LEASE). */
        public Options orderEnv(String name, String value) {
            orderEnv.put(name, value);
            return this;
        }

        /** An environment variable for the user instances (e.g. AUTH_TOKEN_TTL). */
        public Options userEnv(String name, String value) {
            userEnv.put(name, value);
            return this;
        }

        /** An environment variable for every instance (e.g. SHUTDOWN_DRAIN). */
        public Options env(String name, String value) {
            allEnv.put(name, value);
            return this;
        }
    }

    private final String suite;
    private final Postgres postgres = new Postgres();
    private final Tally signIns = new Tally();
    private final List<Customer> customers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Path logDir;
    private final List<ServiceProcess> users = new ArrayList<>();
    private final List<ServiceProcess> payments = new ArrayList<>();
    private final List<ServiceProcess> orders = new ArrayList<>();
    private String userDb;
    private String orderDb;
    private String paymentDb;
    private FaultProxy toUser;
    private FaultProxy toPayment;
    private FaultProxy ingress;
    private FaultProxy ingressUser;
    private Api api;

    private Shop(String suite) {
        this.suite = suite;
        this.logDir = Repo.work("logs/" + suite + "-" + System.currentTimeMillis());
    }

    /** Starts everything; on any failure stops what it started and rethrows. */
    public static Shop start(String suite, Options options) {
        Shop shop = new Shop(suite);
        try {
            shop.startAll(options);
            return shop;
        } catch (RuntimeException e) {
            shop.close();
            throw e;
        }
    }

    private void startAll(Options options) {
        userDb = postgres.createDatabase(suite, "user");
        orderDb = postgres.createDatabase(suite, "order");
        paymentDb = postgres.createDatabase(suite, "payment");
        // user and payment start side by side; order needs their proxies' addresses only, not their readiness.
        List<RuntimeException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> starting = new ArrayList<>();
        Map<String, String> userEnv = env(userDb, options.allEnv);
        userEnv.putAll(SigningKeys.userEnv(SigningKeys.create(logDir.resolve("signing-keys.json"))));
        userEnv.putAll(options.userEnv);
        starting.addAll(startInstances("user", options.users, userEnv, users, failures));
        starting.addAll(startInstances("payment", options.payments, env(paymentDb, options.allEnv), payments, failures));
        join(starting);
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
        users.sort(java.util.Comparator.comparing(ServiceProcess::instance));
        payments.sort(java.util.Comparator.comparing(ServiceProcess::instance));
        toUser = FaultProxy.start("order-to-user", ports(users));
        toPayment = FaultProxy.start("order-to-payment", ports(payments));
        Map<String, String> orderEnv = env(orderDb, options.allEnv);
        orderEnv.put("USER_SERVICE_URL", toUser.url());
        orderEnv.put("PAYMENT_SERVICE_URL", toPayment.url());
        orderEnv.putAll(SigningKeys.orderEnv(toUser.url()));
        orderEnv.putAll(options.orderEnv);
        // Two order instances would run their first migration at once; one after the other is what a rollout does.
        for (int i = 1; i <= options.orders; i++) {
            orders.add(ServiceProcess.start("order", "order-" + i, orderEnv, logDir));
        }
        ingress = FaultProxy.start("ingress-to-order", ports(orders));
        ingressUser = FaultProxy.start("ingress-to-user", ports(users));
        mesh(options.mesh);
        api = new Api(ingress.url(), ingressUser.url(), Duration.ofSeconds(15));
    }

    /** Switches every proxy between imitating Envoy with our mesh/ files and the bare network. */
    public void mesh(boolean on) {
        Path mesh = Repo.root().resolve("mesh");
        if (on) {
            toUser.mesh(MeshSettings.routes(mesh, "user-timeouts-and-retries.yaml"),
                    MeshSettings.outlier(mesh, "user-circuit-breaker.yaml"));
            toPayment.mesh(MeshSettings.routes(mesh, "payment-timeouts-and-retries.yaml"),
                    MeshSettings.outlier(mesh, "payment-circuit-breaker.yaml"));
            ingress.mesh(MeshSettings.routes(mesh, "ingress-public-api-routes.yaml"),
                    MeshSettings.outlier(mesh, "order-circuit-breaker.yaml"));
            ingressUser.mesh(MeshSettings.routes(mesh, "ingress-public-api-routes.yaml"),
                    MeshSettings.outlier(mesh, "user-circuit-breaker.yaml"));
        } else {
            for (FaultProxy proxy : proxies()) {
                proxy.mesh(null, null);
            }
        }
    }

    /** Starts {@code count} instances of {@code service}, each on its own thread, into {@code into}. */
    private List<Thread> startInstances(String service, int count, Map<String, String> env, List<ServiceProcess> into,
                                        List<RuntimeException> failures) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String instance = service + "-" + i;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    ServiceProcess process = ServiceProcess.start(service, instance, env, logDir);
                    synchronized (into) {
                        into.add(process);
                    }
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        return threads;
    }

    private static Map<String, String> env(String database, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("DB_URL", Postgres.url(database));
        env.put("DB_USER", Postgres.USER);
        env.put("DB_PASSWORD", Postgres.PASSWORD);
        env.putAll(extra);
        return env;
    }

    private static int[] ports(List<ServiceProcess> processes) {
        return processes.stream().mapToInt(ServiceProcess::port).toArray();
    }

    private static void join(List<Thread> threads) {
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofMinutes(3).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /**
     * Registers {@code count} customers through the ingress, each with its own password, and signs each in
     * once (their tokens are renewed as the run goes on, see {@link Customer#bearer()}).
     */
    public List<Customer> createCustomers(int count) {
        List<Customer> created = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String unique = UUID.randomUUID().toString();
            String email = "rel-" + unique + "@example.com";
            String password = Customer.newPassword();
            Answer answer = api.createUser("rel-user-" + unique, "Reliability " + i, email, password);
            if (answer.status() != 201) {
                throw new IllegalStateException("Could not create a customer: " + answer.label());
            }
            Customer customer = new Customer(Api.id(answer), email, password, api, signIns);
            if (customer.bearer() == null) {
                throw new IllegalStateException("A new customer could not sign in: " + signIns.byLabel());
            }
            created.add(customer);
        }
        customers.addAll(created);
        return created;
    }

    /** Every sign-in of the customers this shop created, the first ones and the renewals. */
    public Tally signIns() {
        return signIns;
    }

    /** Sign-ins beyond each customer's first: tokens renewed before they expired. */
    public long renewals() {
        return customers.stream().mapToLong(c -> Math.max(0, c.signIns() - 1)).sum();
    }

    /**
     * Waits until no order owes a charge or a refund (recovery settled everything), at most {@code max}.
     *
     * @return how long it took, or null when orders still owed something at the end
     */
    public Duration awaitSettled(Duration max) {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (unsettled() == 0) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            ServiceProcess.sleep(1000);
        }
        return null;
    }

    /** Orders that still owe payment something. */
    public long unsettled() {
        try {
            return postgres.count(orderDb, "SELECT COUNT(*) FROM orders WHERE owed IS NOT NULL");
        } catch (IllegalStateException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The consistency checker on this suite's databases, with no grace for unsettled orders. */
    public ConsistencyCheck.Result check() {
        try {
            return ConsistencyCheck.run(new ConsistencyCheck.Target(Postgres.url(orderDb), Postgres.url(paymentDb),
                    Postgres.USER, Postgres.PASSWORD), Duration.ZERO);
        } catch (SQLException e) {
            throw new IllegalStateException("The consistency checker could not read the databases", e);
        }
    }

    /**
     * Accepted orders that are gone or never settled: not in the order database, still owing something,
     * or (for a cancel that was accepted) not CANCELLED.
     */
    public List<String> lostOrders(List<Placement> ledger) {
        Map<String, String[]> stored = new HashMap<>();
        try (Connection db = DriverManager.getConnection(Postgres.url(orderDb), Postgres.USER, Postgres.PASSWORD);
             Statement sql = db.createStatement();
             ResultSet rows = sql.executeQuery("SELECT id, status, owed FROM orders")) {
            while (rows.next()) {
                stored.put(rows.getString("id"), new String[] {rows.getString("status"), rows.getString("owed")});
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the orders", e);
        }
        List<String> lost = new ArrayList<>();
        for (Placement placement : ledger) {
            if (!placement.accepted()) {
                continue;
            }
            String[] row = stored.get(placement.orderId().toString());
            if (row == null) {
                lost.add(placement.orderId() + " (answered " + placement.acceptedWith() + ") is not in the database");
            } else if (row[1] != null) {
                lost.add(placement.orderId() + " is still " + row[0] + " owing a " + row[1]);
            } else if (placement.cancelAccepted() && !row[0].equals("CANCELLED")) {
                lost.add(placement.orderId() + " was cancelled but is " + row[0]);
            }
        }
        return lost;
    }

    /** Accepted orders whose final state contradicts the answer (e.g. answered PAID, stored PAYMENT_DECLINED). */
    public List<String> contradicted(List<Placement> ledger) {
        List<String> wrong = new ArrayList<>();
        Map<String, String> stored = new HashMap<>();
        try (Connection db = DriverManager.getConnection(Postgres.url(orderDb), Postgres.USER, Postgres.PASSWORD);
             Statement sql = db.createStatement();
             ResultSet rows = sql.executeQuery("SELECT id, status FROM orders")) {
            while (rows.next()) {
                stored.put(rows.getString("id"), rows.getString("status"));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the orders", e);
        }
        for (Placement placement : ledger) {
            if (!placement.accepted() || placement.cancelAccepted()) {
                continue;
            }
            String now = stored.get(placement.orderId().toString());
            if (now == null) {
                continue;
            }
            if (placement.declineExpected() && now.equals("PAID")) {
                wrong.add(placement.orderId() + " is above the decline limit but PAID");
            }
            if (!placement.declineExpected() && now.equals("PAYMENT_DECLINED")) {
                wrong.add(placement.orderId() + " is below the decline limit but PAYMENT_DECLINED");
            }
            if (placement.answeredStatus().equals("PAID") && !now.equals("PAID")) {
                wrong.add(placement.orderId() + " was answered PAID and is now " + now);
            }
        }
        return wrong;
    }

    public Api api() {
        return api;
    }

    public FaultProxy toUser() {
        return toUser;
    }

    public FaultProxy toPayment() {
        return toPayment;
    }

    public FaultProxy ingress() {
        return ingress;
    }

    public FaultProxy ingressUser() {
        return ingressUser;
    }

    public List<FaultProxy> proxies() {
        return List.of(ingress, ingressUser, toUser, toPayment);
    }

    public List<ServiceProcess> users() {
        return users;
    }

    public List<ServiceProcess> payments() {
        return payments;
    }

    public List<ServiceProcess> orders() {
        return orders;
    }

    public List<ServiceProcess> all() {
        List<ServiceProcess> all = new ArrayList<>(users);
        all.addAll(payments);
        all.addAll(orders);
        return all;
    }

    public Postgres postgres() {
        return postgres;
    }

    public String userDb() {
        return userDb;
    }

    public String orderDb() {
        return orderDb;
    }

    public String paymentDb() {
        return paymentDb;
    }

    public Path logDir() {
        return logDir;
    }

    /** Log lines across every instance that contain {@code text} (e.g. "Unexpected failure"). */
    public long logLines(String text) {
        long count = 0;
        for (ServiceProcess process : all()) {
            count += process.logLinesContaining(text);
        }
        return count;
    }

    /** Stops every instance (SIGTERM, all at once, SIGKILL after 20 s), the proxies, and drops the databases. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (ServiceProcess process : all()) {
            stopping.add(Thread.ofPlatform().start(process::stop));
        }
        join(stopping);
        for (FaultProxy proxy : new FaultProxy[] {ingress, ingressUser, toUser, toPayment}) {
            if (proxy != null) {
                proxy.close();
            }
        }
        if (!"true".equals(System.getenv("RELIABILITY_KEEP_DATABASES"))) {
            postgres.dropAll();
        }
    }
}
