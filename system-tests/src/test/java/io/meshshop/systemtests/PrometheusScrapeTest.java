package io.meshshop.systemtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus scrapes the three services, run as processes, with the repository's local scrape
 * configuration and rules; the test reads series back through Prometheus's HTTP API. This is where the
 * rules and the dashboards meet the services' real exposition: label names, route templates, the
 * histogram's le values, the pool's metric names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PrometheusScrapeTest {

    private final List<ServiceProcess> services = new ArrayList<>();
    private PrometheusServer prometheus;

    @BeforeAll
    @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void servicesWithTrafficAndPrometheus() {
        PrometheusServer.binary(); // fail before starting anything when Prometheus is not installed
        ServiceProcess user = start("user", Map.of());
        ServiceProcess payment = start("payment", Map.of());
        Map<String, String> orderEnv = new LinkedHashMap<>(user.jwksFor());
        orderEnv.put("USER_SERVICE_URL", user.baseUrl());
        orderEnv.put("PAYMENT_SERVICE_URL", payment.baseUrl());
        ServiceProcess order = start("order", orderEnv);

        // Traffic on every service before Prometheus starts, so that every series exists at its first
        // scrape, and the same again once it has been scraped: rate() sees an increase only between two
        // samples, and a counter first seen at 1 has none. The SLO ratios are rates of recorded sums, so the
        // second round waits for the recorded sum's first sample, not only the scraped one: a rule evaluation
        // that came after both scrapes would record the sum first at 2 and no rate would ever see it grow.
        traffic(user, order);
        Map<String, String> targets = new LinkedHashMap<>();
        targets.put("localhost:8081", "127.0.0.1:" + user.port());
        targets.put("localhost:8082", "127.0.0.1:" + order.port());
        targets.put("localhost:8083", "127.0.0.1:" + payment.port());
        prometheus = PrometheusServer.startLocalConfig(targets);
        awaitResult("namespace_app_instance_route:meshshop_http_server_requests:sum"
                + "{app=\"order\", method=\"POST\", route=\"/api/orders\"}", r -> !r.isEmpty());
        traffic(user, order);
    }

    /** A registration and sign-in, a read of oneself, a client error (400) and one checkout. */
    private static void traffic(ServiceProcess user, ServiceProcess order) {
        Customer customer = Customer.signUp(user.baseUrl(), "Scrape Test");
        assertEquals(200, Http.get(user.baseUrl() + "/api/users/" + customer.id(), customer.bearer()).status());
        assertEquals(400, Http.get(user.baseUrl() + "/api/users/not-a-uuid", customer.bearer()).status());
        String sku = Http.get(order.baseUrl() + "/api/products").json().getJsonArray("items")
                .getJsonObject(0).getString("sku");
        Http.Answer placed = Http.postJson(order.baseUrl() + "/api/orders",
                "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}",
                "Idempotency-Key", UUID.randomUUID().toString(), "Authorization", "Bearer " + customer.token());
        assertEquals(201, placed.status(), placed.body());
    }

    @AfterAll
    void stopAll() {
        if (prometheus != null) {
            prometheus.close();
        }
        ServiceProcess.closeAll(services);
    }

    @Test
    void readsTheRequestCountOfTheUserServiceBack() {
        JsonArray result = awaitResult(
                "meshshop_http_server_requests_seconds_count{app=\"user\", method=\"POST\", route=\"/api/users\", status=\"201\"}",
                r -> !r.isEmpty());
        JsonObject series = result.getJsonObject(0);
        JsonObject labels = series.getJsonObject("metric");
        assertEquals("meshshop", labels.getString("job"));
        assertEquals("local", labels.getString("namespace"));
        assertEquals("v1", labels.getString("version"));
        assertTrue(value(series) >= 1.0, series.toString());
    }

    @Test
    void everyServiceIsScraped() {
        JsonArray up = awaitResult("up{job=\"meshshop\"} == 1", r -> r.size() == 3);
        Set<String> apps = new TreeSet<>();
        up.forEach(v -> apps.add(v.asJsonObject().getJsonObject("metric").getString("app")));
        assertEquals(Set.of("order", "payment", "user"), apps, prometheus.targets().toString());
    }

    @Test
    void theRepositorysRulesAreLoadedAndEvaluateWithoutError() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> problems = List.of("not evaluated yet");
        Set<String> groups = new TreeSet<>();
        while (System.nanoTime() < deadline) {
            problems = new ArrayList<>();
            groups.clear();
            for (JsonValue groupValue : prometheus.rules().getJsonObject("data").getJsonArray("groups")) {
                JsonObject group = groupValue.asJsonObject();
                groups.add(group.getString("name"));
                for (JsonValue ruleValue : group.getJsonArray("rules")) {
                    JsonObject rule = ruleValue.asJsonObject();
                    if (!rule.getString("health").equals("ok")) {
                        problems.add(rule.getString("name") + ": " + rule.getString("health") + " "
                                + rule.getString("lastError", ""));
                    }
                }
            }
            if (problems.isEmpty()) {
                break;
            }
            Processes.sleep(500);
        }
        assertEquals(Set.of("meshshop-red", "meshshop-slo-checkout", "meshshop-slo-alerts", "meshshop-health-alerts"),
                groups);
        assertTrue(problems.isEmpty(), "rules not healthy: " + problems);
    }

    /** The checkout SLO rules find the checkout in order's real metrics: no 5xx, so an error ratio of 0. */
    @Test
    void theCheckoutSloRulesComputeFromTheRealMetrics() {
        JsonArray errors = awaitResult("slo:checkout_availability_errors:ratio_rate5m",
                r -> !r.isEmpty() && !Double.isNaN(value(r.getJsonObject(0))));
        assertEquals(0.0, value(errors.getJsonObject(0)), errors.toString());
        assertEquals("local", errors.getJsonObject(0).getJsonObject("metric").getString("namespace"));
        JsonArray slow = awaitResult("slo:checkout_latency_slow:ratio_rate5m",
                r -> !r.isEmpty() && !Double.isNaN(value(r.getJsonObject(0))));
        double slowRatio = value(slow.getJsonObject(0));
        assertTrue(slowRatio >= 0 && slowRatio <= 1, slow.toString());
        awaitResult("namespace_app_route:meshshop_http_server_requests:rate5m{app=\"order\", route=\"/api/orders\"}",
                r -> !r.isEmpty());
    }

    /**
     * Every dashboard query runs on a real Prometheus without error (parsing is not enough: a query can
     * parse and still fail, for example with duplicate series in a division). The panels that describe
     * what this test did must show data.
     */
    @Test
    void everyDashboardQueryRunsAndTheMainPanelsShowData() {
        // The RED and runtime dashboards show one service; order has the most to show.
        List<Dashboards.Query> queries = Dashboards.queries(Map.of("app", "order"));
        assertTrue(queries.size() > 50, "dashboard queries found: " + queries.size());
        Set<String> mustShowData = Set.of(
                "meshshop-red / Request rate by route",
                "meshshop-red / Latency p50 / p95 / p99 by route",
                "meshshop-red / Statements per second by kind",
                "meshshop-red / Connection pool",
                "meshshop-checkout / Checkouts by status",
                "meshshop-checkout / Orders by final state",
                "meshshop-checkout / Payments by outcome",
                "meshshop-checkout / Idempotency-Key outcomes by service",
                "meshshop-runtime / Heap used",
                "meshshop-runtime / Collections per second by collector",
                "meshshop-runtime / Active connections",
                "meshshop-runtime / Target up");
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        List<String> errors;
        Set<String> withData;
        do {
            errors = new ArrayList<>();
            withData = new TreeSet<>();
            for (Dashboards.Query query : queries) {
                JsonObject answer = prometheus.query(query.expr());
                if (!answer.getString("status").equals("success")) {
                    errors.add(query + " -> " + answer.getString("error", answer.toString()));
                } else if (!answer.getJsonObject("data").getJsonArray("result").isEmpty()) {
                    withData.add(query.dashboard() + " / " + query.panel());
                }
            }
            if (errors.isEmpty() && withData.containsAll(mustShowData)) {
                break;
            }
            Processes.sleep(1000);
        } while (System.nanoTime() < deadline);
        assertTrue(errors.isEmpty(), "dashboard queries that Prometheus rejected:\n" + String.join("\n", errors));
        Set<String> missing = new TreeSet<>(mustShowData);
        missing.removeAll(withData);
        assertTrue(missing.isEmpty(), "panels without data: " + missing + "\npanels with data: " + withData);
        System.out.println(withData.size() + " panels have data; every one of " + queries.size() + " queries ran");
    }

    private JsonArray awaitResult(String promql, Predicate<JsonArray> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonObject answer = null;
        while (System.nanoTime() < deadline) {
            answer = prometheus.query(promql);
            if (!answer.getString("status").equals("success")) {
                fail(promql + " -> " + answer);
            }
            JsonArray result = answer.getJsonObject("data").getJsonArray("result");
            if (done.test(result)) {
                return result;
            }
            Processes.sleep(500);
        }
        return fail("No satisfying answer to " + promql + " within 30 s; last: " + answer
                + "\ntargets: " + prometheus.targets() + "\nprometheus log:\n" + prometheus.logTail());
    }

    private static double value(JsonObject series) {
        return Double.parseDouble(series.getJsonArray("value").getString(1));
    }

    private ServiceProcess start(String name, Map<String, String> env) {
        ServiceProcess service = ServiceProcess.start(name, env);
        services.add(service);
        return service;
    }
}
