package io.meshshop.reliability.suites;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.meshshop.reliability.badinput.Corpus;
import io.meshshop.reliability.badinput.Endpoint;
import io.meshshop.reliability.badinput.Endpoint.Auth;
import io.meshshop.reliability.badinput.Endpoint.Field;
import io.meshshop.reliability.badinput.Endpoint.KeyUse;
import io.meshshop.reliability.badinput.Endpoint.QueryKind;
import io.meshshop.reliability.badinput.Endpoint.Type;
import io.meshshop.reliability.badinput.Endpoint.WrongToken;
import io.meshshop.reliability.badinput.ForgedTokens;
import io.meshshop.reliability.badinput.RawHttp;
import io.meshshop.reliability.harness.Postgres;
import io.meshshop.reliability.harness.Repo;
import io.meshshop.reliability.harness.ServiceProcess;
import io.meshshop.reliability.harness.SigningKeys;
import io.meshshop.reliability.load.Answer;
import io.meshshop.reliability.load.Api;
import io.meshshop.reliability.load.Customer;
import io.meshshop.reliability.proxy.MeshSettings;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;

/**
 * Suite 6, bad input: at least 1,000 generated invalid requests per endpoint of the three services, sent
 * over raw sockets. Every one must be answered, with a 4xx {@code application/problem+json} document, never
 * a 5xx (outlier detection ejects a pod after consecutive 5xx: mesh/*-circuit-breaker.yaml
 * consecutive5xxErrors, which this suite counts as the mesh would), and the databases must not change.
 *
 * <p>Protected routes get their requests with a real customer's valid token, and besides every other
 * invalid part a corpus of Authorization headers and tokens: each must be a 401 with a Bearer challenge, a
 * 404 for another customer's valid token on this customer's resource, a 403 for a customer on an operator's
 * route, and a 400, 401 or 431 for an oversized header.
 */
public final class BadInputSuite {

    private static final int PER_ENDPOINT = 1_000;
    private static final int SAMPLES = 4;
    /** The user service's defaults for auth.issuer and auth.audience, which the suite leaves as they are. */
    private static final String ISSUER = "https://meshshop.dev/auth";
    private static final String AUDIENCE = "meshshop";
    /** auth.admin-emails: the e-mails whose tokens get the admin scope. */
    private static final String ADMIN_EMAILS_ENV = "AUTH_ADMIN_dash_EMAILS";

    private BadInputSuite() {
    }

    /** What one endpoint's corpus got. */
    private static final class Tally {
        final Map<String, AtomicLong> byStatus = new ConcurrentHashMap<>();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong problems = new AtomicLong();
        final List<String> badSamples = new ArrayList<>();
        final Map<String, AtomicLong> badKinds = new ConcurrentHashMap<>();
        final List<String> allBad = new ArrayList<>();

        synchronized void bad(String kind, String sample) {
            badKinds.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            allBad.add(kind + ": " + sample);
            long sameKind = badSamples.stream().filter(s -> s.startsWith(kind)).count();
            if (sameKind < SAMPLES) {
                badSamples.add(kind + ": " + sample);
            }
        }

        long bad() {
            return badKinds.values().stream().mapToLong(AtomicLong::get).sum();
        }

        final Map<String, java.util.Set<String>> tolerated = new ConcurrentHashMap<>();

        void tolerated(String kind, String what) {
            tolerated.computeIfAbsent(kind, k -> ConcurrentHashMap.newKeySet())
                    .add(what.replaceAll("[0-9]+ bytes", "N bytes"));
        }
    }

    public static Figures run(Mode mode) {
        Figures figures = new Figures("6 bad input");
        Postgres postgres = new Postgres();
        Path logDir = Repo.work("logs/bad-input-" + System.currentTimeMillis());
        List<ServiceProcess> started = new ArrayList<>();
        try {
            String userDb = postgres.createDatabase("badinput", "user");
            String orderDb = postgres.createDatabase("badinput", "order");
            String paymentDb = postgres.createDatabase("badinput", "payment");
            Path keys = SigningKeys.create(logDir.resolve("signing-keys.json"));
            String adminEmail = "fixture-admin-" + UUID.randomUUID() + "@example.com";
            Map<String, String> userEnv = env(userDb);
            userEnv.putAll(SigningKeys.userEnv(keys));
            userEnv.put(ADMIN_EMAILS_ENV, adminEmail);
            ServiceProcess user = ServiceProcess.start("user", "user-1", userEnv, logDir);
            started.add(user);
            ServiceProcess payment = ServiceProcess.start("payment", "payment-1", env(paymentDb), logDir);
            started.add(payment);
            Map<String, String> orderEnv = env(orderDb);
            orderEnv.put("USER_SERVICE_URL", user.url());
            orderEnv.put("PAYMENT_SERVICE_URL", payment.url());
            orderEnv.putAll(SigningKeys.orderEnv(user.url()));
            ServiceProcess order = ServiceProcess.start("order", "order-1", orderEnv, logDir);
            started.add(order);

            // Fixtures, so that ids in paths name real resources, tokens are real customers' and the invalid
            // part is the only one.
            Api api = new Api(order.url(), user.url(), Duration.ofSeconds(15));
            io.meshshop.reliability.load.Tally signIns = new io.meshshop.reliability.load.Tally();
            Customer owner = customer(api, signIns, "owner", "fixture-owner-" + UUID.randomUUID() + "@example.com");
            Customer other = customer(api, signIns, "other", "fixture-other-" + UUID.randomUUID() + "@example.com");
            Customer doomed = customer(api, signIns, "doomed", "fixture-doomed-" + UUID.randomUUID() + "@example.com");
            Customer doomedMe = customer(api, signIns, "doomed-me", "fixture-doomed-me-" + UUID.randomUUID() + "@example.com");
            Customer admin = customer(api, signIns, "admin", adminEmail);
            Customer gone = customer(api, signIns, "gone", "fixture-gone-" + UUID.randomUUID() + "@example.com");
            String goneToken = gone.bearer();
            Answer deleted = api.send("DELETE", user.url() + "/api/users/me", "fixture-gone-delete", null, goneToken);
            if (deleted.status() / 100 != 2) {
                throw new IllegalStateException("Could not delete the fixture customer: " + deleted.label());
            }
            String signInEmail = "fixture-sign-in-" + UUID.randomUUID() + "@example.com";
            String signInPassword = Customer.newPassword();
            created(api.createUser("fixture-sign-in", "Fixture Sign-In", signInEmail, signInPassword));
            Answer placed = api.placeOrder(owner, "fixture-order", Api.orderBody(List.of(new Api.Line("MESH-MUG", 1))));
            UUID orderId = created(placed);
            UUID paymentId = UUID.fromString(placed.string("paymentId").orElseThrow());
            UUID cancelOrder = created(api.placeOrder(owner, "fixture-order-2",
                    Api.orderBody(List.of(new Api.Line("PILOT-CAP", 1)))));
            Answer refund = api.send("POST", payment.url() + "/api/payments/" + paymentId + "/refunds", "fixture-refund",
                    "{\"amountMinor\":1}");
            UUID refundId = created(refund);

            ForgedTokens forger = new ForgedTokens(SigningKeys.load(keys), ISSUER, AUDIENCE);
            Fixtures fixtures = new Fixtures(user.port(), order.port(), payment.port(), owner, other, doomed, doomedMe,
                    admin, goneToken, signInEmail, signInPassword, orderId, cancelOrder, paymentId, refundId, forger);
            List<Endpoint> endpoints = endpoints(fixtures);
            // A corpus is only as good as the valid request it varies: every read must be served as it stands.
            for (Endpoint endpoint : endpoints) {
                if (endpoint.method().equals("GET")) {
                    RawHttp.Response valid = RawHttp.exchange(endpoint.port(), validRequest(endpoint), false, 10_000);
                    figures.expect(valid.status() == 200, endpoint.service() + " " + endpoint.name()
                                   + ": the valid request the corpus varies was answered " + valid.status() + " "
                                   + abbreviated(valid.bodyText()));
                }
            }
            Map<String, Long> rowsBefore = rows(postgres, userDb, orderDb, paymentDb);
            MeshSettings.Outlier outlier = MeshSettings.outlier(Repo.root().resolve("mesh"), "order-circuit-breaker.yaml");
            figures.load(endpoints.size() + " endpoints x >=" + PER_ENDPOINT + " invalid requests, raw sockets, 3 in parallel");
            figures.fault("malformed/deep JSON, wrong types, huge values, invalid UTF-8, nulls, duplicate keys, bad"
                          + " headers and keys, oversized headers and bodies, wrong methods and content types");

            Map<String, Tally> tallies = new LinkedHashMap<>();
            Map<String, AtomicLong> ejections = new ConcurrentHashMap<>();
            List<Thread> services = new ArrayList<>();
            for (String service : List.of("user", "order", "payment")) {
                List<Endpoint> mine = endpoints.stream().filter(e -> e.service().equals(service)).toList();
                for (Endpoint endpoint : mine) {
                    tallies.put(endpoint.service() + " " + endpoint.name(), new Tally());
                }
                services.add(Thread.ofPlatform().name("corpus-" + service).start(() -> {
                    // Envoy's consecutive counters for this service's one pod, over the corpus in order.
                    int consecutive5xx = 0;
                    for (Endpoint endpoint : mine) {
                        Tally tally = tallies.get(endpoint.service() + " " + endpoint.name());
                        for (Corpus.Case item : Corpus.generate(endpoint, PER_ENDPOINT)) {
                            RawHttp.Response response = RawHttp.exchange(endpoint.port(), item.bytes(), item.halfClose(), 10_000);
                            judge(tally, item, response, endpoint.auth() != null);
                            consecutive5xx = response.status() >= 500 ? consecutive5xx + 1 : 0;
                            if (consecutive5xx >= outlier.consecutive5xxErrors()) {
                                ejections.computeIfAbsent(service, k -> new AtomicLong()).incrementAndGet();
                                consecutive5xx = 0;
                            }
                        }
                    }
                }));
            }
            for (Thread thread : services) {
                thread.join(Duration.ofMinutes(20).toMillis());
            }

            long sent = 0;
            long bad = 0;
            for (Map.Entry<String, Tally> entry : tallies.entrySet()) {
                Tally tally = entry.getValue();
                sent += tally.sent.get();
                bad += tally.bad();
                Map<String, Long> statuses = new TreeMap<>();
                tally.byStatus.forEach((status, count) -> statuses.put(status, count.get()));
                figures.note(entry.getKey() + ": " + tally.sent + " sent, " + tally.problems + " problem documents, answers "
                             + statuses + (tally.bad() == 0 ? "" : ", BAD " + tally.badKinds));
                figures.expect(tally.sent.get() >= PER_ENDPOINT, entry.getKey() + " got only " + tally.sent + " requests");
                for (String sample : tally.badSamples) {
                    figures.note("    " + entry.getKey() + " -> " + sample);
                }
                tally.tolerated.forEach((kind, whats) -> figures.note("    tolerated (" + kind + "): " + whats));
            }
            figures.requests(sent).failures(bad);
            // Every failing case, for whoever fixes them; the notes show a few of each kind.
            List<String> everyBad = new ArrayList<>();
            tallies.forEach((name, tally) -> tally.allBad.forEach(line -> everyBad.add(name + " -> " + line)));
            java.nio.file.Path casesFile = Repo.work("report").resolve("bad-input-failures.txt");
            java.nio.file.Files.write(casesFile, everyBad);
            figures.note("every failing case: " + Repo.root().relativize(casesFile));
            figures.note("outlier ejections the mesh would make (" + outlier + "): " + ejections);
            figures.expect(ejections.isEmpty(), "bad input would get pods ejected: " + ejections);

            Map<String, Long> rowsAfter = rows(postgres, userDb, orderDb, paymentDb);
            figures.note("rows before " + rowsBefore + ", after " + rowsAfter);
            figures.expect(rowsBefore.equals(rowsAfter), "bad input changed the databases: before " + rowsBefore
                                                         + ", after " + rowsAfter);
            for (ServiceProcess process : started) {
                figures.expect(process.alive() && process.readiness() == 200, process + " is not ready after the corpus");
            }
            long unexpected = started.stream().mapToLong(p -> p.logLinesContaining("Unexpected failure")).sum();
            figures.note("'Unexpected failure' lines in the service logs: " + unexpected);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            figures.expect(false, "interrupted");
        } catch (java.io.IOException e) {
            figures.expect(false, "could not write the report: " + e);
        } catch (RuntimeException e) {
            figures.expect(false, "suite error: " + e);
            e.printStackTrace();
        } finally {
            for (ServiceProcess process : started) {
                process.stop();
            }
            postgres.dropAll();
            figures.finish();
        }
        return figures;
    }

    private static void judge(Tally tally, Corpus.Case item, RawHttp.Response response, boolean signedIn) {
        tally.sent.incrementAndGet();
        String status = response.answered() ? String.valueOf(response.status()) : "none";
        tally.byStatus.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
        String what = item.category() + " / " + item.description();
        if (item.tolerance() == Corpus.Tolerance.MAY_CLOSE && !response.answered()
            && !response.outcome().equals("timeout")) {
            tally.tolerated("closed", what);
        } else if (item.tolerance() == Corpus.Tolerance.MAY_ACCEPT && response.answered()
                   && response.status() >= 200 && response.status() < 300) {
            tally.tolerated("served as valid", what);
        } else if (!response.answered()) {
            tally.bad("no answer", what + " (" + response.outcome() + ")");
        } else if (response.status() >= 500) {
            tally.bad("5xx", what + " -> " + response.status() + " " + abbreviated(response.bodyText()));
        } else if (response.status() < 400) {
            tally.bad("accepted", what + " -> " + response.status() + " " + abbreviated(response.bodyText()));
        } else if (!problem(response)) {
            tally.bad("not a problem document", what + " -> " + response.status() + " " + response.contentType() + " "
                                                + abbreviated(response.bodyText()));
        } else if (!item.expected().isEmpty() && !item.expected().contains(response.status())) {
            tally.bad("wrong status", what + " -> " + response.status() + " (expected " + new java.util.TreeSet<>(item.expected())
                                      + ") " + abbreviated(response.bodyText()));
        } else if (signedIn && response.status() == 401
                   && (response.challenge() == null || !response.challenge().regionMatches(true, 0, "Bearer ", 0, 7))) {
            // RFC 6750 3 and RFC 9110 15.5.2: a 401 says how to authenticate.
            tally.bad("401 without a Bearer challenge", what + " -> WWW-Authenticate " + response.challenge());
        } else {
            tally.problems.incrementAndGet();
        }
    }

    /** A problem document: application/problem+json, with type, title and the response's own status. */
    static boolean problem(RawHttp.Response response) {
        if (response.contentType() == null || !response.contentType().startsWith("application/problem+json")) {
            return false;
        }
        try (JsonReader reader = Json.createReader(new java.io.StringReader(response.bodyText()))) {
            JsonObject json = reader.readObject();
            return json.get("type") instanceof JsonString && json.get("title") instanceof JsonString
                   && json.get("status") instanceof JsonNumber n && n.intValue() == response.status();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String abbreviated(String text) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() > 160 ? flat.substring(0, 160) + "..." : flat;
    }

    private static UUID created(Answer answer) {
        if (answer.status() != 201) {
            throw new IllegalStateException("Could not create a fixture: " + answer.label() + " " + answer.json());
        }
        return Api.id(answer);
    }

    private static Map<String, String> env(String database) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_URL", Postgres.url(database));
        env.put("DB_USER", Postgres.USER);
        env.put("DB_PASSWORD", Postgres.PASSWORD);
        return env;
    }

    /** Row counts of every table a request could change. */
    private static Map<String, Long> rows(Postgres postgres, String userDb, String orderDb, String paymentDb) {
        Map<String, Long> rows = new TreeMap<>();
        rows.put("users", postgres.count(userDb, "SELECT COUNT(*) FROM users"));
        rows.put("user idempotency keys", postgres.count(userDb, "SELECT COUNT(*) FROM idempotency_keys"));
        rows.put("orders", postgres.count(orderDb, "SELECT COUNT(*) FROM orders"));
        rows.put("orders cancelled", postgres.count(orderDb, "SELECT COUNT(*) FROM orders WHERE status <> 'PAID'"));
        rows.put("order lines", postgres.count(orderDb, "SELECT COUNT(*) FROM order_lines"));
        rows.put("payments", postgres.count(paymentDb, "SELECT COUNT(*) FROM payments"));
        rows.put("refunds", postgres.count(paymentDb, "SELECT COUNT(*) FROM refunds"));
        rows.put("payment idempotency keys", postgres.count(paymentDb, "SELECT COUNT(*) FROM idempotency_keys"));
        rows.put("user names", postgres.count(userDb, "SELECT COUNT(DISTINCT name) FROM users"));
        return rows;
    }

    /**
     * Everything the endpoints' valid requests name: the customers (and their tokens), the orders, the
     * payment and refund, and the forger of invalid tokens.
     *
     * @param owner     the customer whose user, orders and token the valid requests use
     * @param other     another customer: their valid token on the owner's resources must be a 404
     * @param doomed    deleted by DELETE /api/users/{id} if any invalid request were served
     * @param doomedMe  deleted by DELETE /api/users/me if any invalid request were served
     * @param admin     an operator (scope admin), for the user list
     * @param goneToken a valid token of a customer deleted since
     */
    private record Fixtures(int userPort, int orderPort, int paymentPort, Customer owner, Customer other,
                            Customer doomed, Customer doomedMe, Customer admin, String goneToken, String signInEmail,
                            String signInPassword, UUID orderId, UUID cancelOrder, UUID paymentId, UUID refundId,
                            ForgedTokens forger) {
    }

    /** Every route of the three services, each with a valid request on real resources. */
    private static List<Endpoint> endpoints(Fixtures f) {
        String u = f.owner().id().toString();
        String d = f.doomed().id().toString();
        String o = f.orderId().toString();
        String c = f.cancelOrder().toString();
        String p = f.paymentId().toString();
        String r = f.refundId().toString();
        String email = "\"someone-" + UUID.randomUUID() + "@example.com\"";
        List<Field> registration = List.of(new Field("name", Type.STRING, "\"Ada Lovelace\"", true),
                new Field("email", Type.EMAIL, email, true),
                new Field("password", Type.PASSWORD, "\"" + Customer.newPassword() + "\"", true));
        List<Field> signIn = List.of(new Field("email", Type.EMAIL, "\"" + f.signInEmail() + "\"", true),
                new Field("password", Type.PASSWORD, "\"" + f.signInPassword() + "\"", true));
        List<Field> change = List.of(new Field("name", Type.STRING, "\"Fixture\"", true),
                new Field("email", Type.EMAIL, email, false));
        List<Field> placement = List.of(
                new Field("items", Type.QUANTITY_ITEMS, "[{\"sku\":\"MESH-MUG\",\"quantity\":1}]", true));
        List<Field> charge = List.of(new Field("orderId", Type.UUID, "\"" + UUID.randomUUID() + "\"", true),
                new Field("userId", Type.UUID, "\"" + u + "\"", true),
                new Field("amountMinor", Type.AMOUNT, "100", true),
                new Field("currency", Type.CURRENCY, "\"EUR\"", true));
        List<Field> refund = List.of(new Field("amountMinor", Type.AMOUNT, "1", true));

        // Wrong tokens: forged ones for whoever the request acts for; another customer's valid token where the
        // path names the owner's resource (404, exactly as an unknown id); a deleted customer's valid token.
        WrongToken others = new WrongToken("a valid token of another customer", f.other().bearer(), Set.of(404));
        WrongToken gone = new WrongToken("a valid token of a customer deleted since", f.goneToken(), Set.of());
        List<WrongToken> forOwner = f.forger().against(f.owner().id(), "customer");
        Auth owner = new Auth(f.owner().bearer(), forOwner);
        Auth ownersResource = new Auth(f.owner().bearer(), with(forOwner, others, gone));
        Auth ownersOrder = new Auth(f.owner().bearer(), with(forOwner, others));
        Auth ownerSelf = new Auth(f.owner().bearer(), with(forOwner, gone));
        Auth doomed = new Auth(f.doomed().bearer(), with(f.forger().against(f.doomed().id(), "customer"),
                new WrongToken("a valid token of another customer", f.owner().bearer(), Set.of(404)), gone));
        // Not the deleted customer's token here: deleting oneself is repeatable, so that is a valid request (204).
        Auth doomedMe = new Auth(f.doomedMe().bearer(), f.forger().against(f.doomedMe().id(), "customer"));
        Auth admin = new Auth(f.admin().bearer(), with(f.forger().against(f.admin().id(), "customer admin"),
                new WrongToken("a customer's valid token where an operator's is needed", f.owner().bearer(), Set.of(403))));

        int user = f.userPort();
        int order = f.orderPort();
        int payment = f.paymentPort();
        return List.of(
                new Endpoint("user", user, "POST", "/api/users", List.of(), null, QueryKind.NONE, registration,
                        KeyUse.REQUIRED, List.of("GET", "POST"), null),
                new Endpoint("user", user, "POST", "/api/sessions", List.of(), null, QueryKind.NONE, signIn,
                        KeyUse.NONE, List.of("POST"), null),
                new Endpoint("user", user, "GET", "/api/users", List.of(), "limit=5", QueryKind.USER_LIST, null,
                        KeyUse.NONE, List.of("GET", "POST"), admin),
                new Endpoint("user", user, "GET", "/api/users/" + u, List.of(u), null, QueryKind.NONE, null,
                        KeyUse.NONE, List.of("GET", "PUT", "DELETE"), ownersResource),
                new Endpoint("user", user, "PUT", "/api/users/" + u, List.of(u), null, QueryKind.NONE, change,
                        KeyUse.REQUIRED, List.of("GET", "PUT", "DELETE"), ownersResource),
                new Endpoint("user", user, "DELETE", "/api/users/" + d, List.of(d), null, QueryKind.NONE, null,
                        KeyUse.REQUIRED, List.of("GET", "PUT", "DELETE"), doomed),
                new Endpoint("user", user, "GET", "/api/users/me", List.of(), null, QueryKind.NONE, null,
                        KeyUse.NONE, List.of("GET", "PUT", "DELETE"), ownerSelf),
                new Endpoint("user", user, "PUT", "/api/users/me", List.of(), null, QueryKind.NONE, change,
                        KeyUse.REQUIRED, List.of("GET", "PUT", "DELETE"), ownerSelf),
                new Endpoint("user", user, "DELETE", "/api/users/me", List.of(), null, QueryKind.NONE, null,
                        KeyUse.REQUIRED, List.of("GET", "PUT", "DELETE"), doomedMe),
                new Endpoint("user", user, "GET", "/.well-known/jwks.json", List.of(), null, QueryKind.NONE, null,
                        KeyUse.NONE, List.of("GET"), null),
                new Endpoint("order", order, "GET", "/api/products", List.of(), null, QueryKind.NONE, null,
                        KeyUse.NONE, List.of("GET"), null),
                new Endpoint("order", order, "GET", "/api/products/MESH-MUG", List.of("MESH-MUG"), null, QueryKind.NONE,
                        null, KeyUse.NONE, List.of("GET"), null),
                new Endpoint("order", order, "POST", "/api/orders", List.of(), null, QueryKind.NONE, placement,
                        KeyUse.REQUIRED, List.of("GET", "POST"), ownerSelf),
                new Endpoint("order", order, "GET", "/api/orders", List.of(), null, QueryKind.CALLER_ONLY, null,
                        KeyUse.NONE, List.of("GET", "POST"), owner),
                new Endpoint("order", order, "GET", "/api/orders/" + o, List.of(o), null, QueryKind.NONE, null,
                        KeyUse.NONE, List.of("GET"), ownersOrder),
                new Endpoint("order", order, "POST", "/api/orders/" + c + "/cancel", List.of(c), null, QueryKind.NONE,
                        null, KeyUse.REQUIRED, List.of("POST"), ownersOrder),
                new Endpoint("payment", payment, "POST", "/api/payments", List.of(), null, QueryKind.NONE, charge,
                        KeyUse.REQUIRED, List.of("GET", "POST"), null),
                new Endpoint("payment", payment, "GET", "/api/payments", List.of(), "orderId=" + o, QueryKind.UUID_PARAM,
                        null, KeyUse.NONE, List.of("GET", "POST"), null),
                new Endpoint("payment", payment, "GET", "/api/payments/" + p, List.of(p), null, QueryKind.NONE, null,
                        KeyUse.NONE, List.of("GET"), null),
                new Endpoint("payment", payment, "POST", "/api/payments/" + p + "/refunds", List.of(p), null,
                        QueryKind.NONE, refund, KeyUse.REQUIRED, List.of("GET", "POST"), null),
                new Endpoint("payment", payment, "GET", "/api/payments/" + p + "/refunds", List.of(p), null,
                        QueryKind.NONE, null, KeyUse.NONE, List.of("GET", "POST"), null),
                new Endpoint("payment", payment, "GET", "/api/payments/" + p + "/refunds/" + r, List.of(p, r), null,
                        QueryKind.NONE, null, KeyUse.NONE, List.of("GET"), null));
    }

    private static List<WrongToken> with(List<WrongToken> forged, WrongToken... more) {
        List<WrongToken> all = new ArrayList<>(forged);
        all.addAll(List.of(more));
        return all;
    }

    /** Registers a fixture customer and signs them in (the token is then fixed for the whole corpus). */
    private static Customer customer(Api api, io.meshshop.reliability.load.Tally signIns, String role, String email) {
        String password = Customer.newPassword();
        Customer customer = new Customer(created(api.createUser("fixture-" + role, "Fixture " + role, email, password)),
                email, password, api, signIns);
        if (customer.bearer() == null) {
            throw new IllegalStateException("The fixture customer '" + role + "' could not sign in: " + signIns.byLabel());
        }
        return customer;
    }

    /** The endpoint's valid request as the corpus sends it (with the route's token). */
    private static byte[] validRequest(Endpoint endpoint) {
        return Corpus.valid(endpoint);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
