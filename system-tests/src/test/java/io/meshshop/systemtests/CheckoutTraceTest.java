package io.meshshop.systemtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One checkout by a signed-in customer across three real servers, each its own process exporting OTLP/HTTP
 * protobuf to a receiver in this test, with an incoming traceparent as the ingress gateway's sidecar would
 * send it. The spans
 * must form one tree in the caller's trace: order's server span continues the traceparent and is the
 * parent of its client spans; user's and payment's server spans are children of those client spans (the
 * context travelled on the wire); every service has database spans under its server span; business
 * outcomes are on the spans and personal data is not.
 *
 * <p>The services are started and the checkout made once, in {@link #checkout()}; each test reads the
 * same trace, so a failure names the one property that broke.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckoutTraceTest {

    private final List<ServiceProcess> started = new ArrayList<>();
    private OtlpReceiver receiver;
    private ServiceProcess orderService;
    /** A B3 context from an earlier hop, sent with the checkout: W3C propagation must ignore it. */
    private TraceContext stale;
    private TraceContext caller;
    private TraceTree tree;
    private String picture;
    private String email;
    private JsonObject order;

    @BeforeAll
    @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void checkout() {
        receiver = OtlpReceiver.start();
        Map<String, String> otlp = ServiceProcess.otlpTo(receiver.endpoint());
        ServiceProcess user = start("user", otlp);
        ServiceProcess payment = start("payment", otlp);
        Map<String, String> orderEnv = new LinkedHashMap<>(otlp);
        orderEnv.put("USER_SERVICE_URL", user.baseUrl());
        orderEnv.put("PAYMENT_SERVICE_URL", payment.baseUrl());
        orderEnv.putAll(user.jwksFor());
        orderService = start("order", orderEnv);

        email = "checkout-" + UUID.randomUUID() + "@example.com";
        Customer customer = Customer.signUp(user.baseUrl(), "Checkout Trace", email, "checkout-" + UUID.randomUUID());

        Http.Answer products = Http.get(orderService.baseUrl() + "/api/products");
        assertEquals(200, products.status(), products.body());
        String sku = products.json().getJsonArray("items").getJsonObject(0).getString("sku");

        caller = TraceContext.random();
        stale = TraceContext.random();
        Http.Answer placed = Http.postJson(orderService.baseUrl() + "/api/orders",
                "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}",
                "traceparent", caller.traceparent(), "Idempotency-Key", UUID.randomUUID().toString(),
                "b3", stale.traceId() + "-" + stale.parentSpanId() + "-1",
                "x-b3-traceid", stale.traceId(), "x-b3-spanid", stale.parentSpanId(), "x-b3-sampled", "1",
                "Authorization", "Bearer " + customer.token());
        assertEquals(201, placed.status(), placed.body() + "\norder's log:\n" + orderService.logTail());
        order = placed.json();
        assertEquals("PAID", order.getString("status"), placed.body());
        assertEquals(customer.id(), order.getString("userId"), "the order is the signed-in customer's");

        // order's server span ends last, after the calls it made; once the three server spans are here,
        // one more export interval brings any straggler.
        receiver.awaitTrace(caller.traceId(), trace -> server(trace, "order").isPresent()
                        && server(trace, "user").isPresent() && server(trace, "payment").isPresent(),
                Duration.ofSeconds(30));
        Processes.sleep(1000);
        tree = new TraceTree(receiver.trace(caller.traceId()));
        picture = tree.render();
        System.out.println("Checkout trace " + caller.traceId() + " as the receiver saw it:\n" + picture);
    }

    @AfterAll
    void stop() {
        ServiceProcess.closeAll(started);
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void orderContinuesTheIncomingTraceAndParentsItsClientSpans() {
        ReceivedSpan orderServer = server(tree.spans(), "order").orElseThrow();
        assertEquals("POST /api/orders", orderServer.name(), picture);
        assertEquals(caller.parentSpanId(), orderServer.parentSpanId(),
                "order's server span continues the caller's span\n" + picture);
        List<ReceivedSpan> clients = spans("order").stream().filter(ReceivedSpan::isClient).toList();
        assertTrue(clients.size() >= 2, "order made at least two outbound calls (user, payment)\n" + picture);
        for (ReceivedSpan client : clients) {
            // Helidon 4.1.2's WebClientTracing chains each call under the previous one; ClientTracing does not.
            assertEquals(orderServer.spanId(), client.parentSpanId(), client
                    + " is a direct child of order's server span (use ClientTracing, not WebClientTracing)\n" + picture);
        }
        assertTrue(clients.stream().anyMatch(c -> c.name().equals("GET /api/users/{id}")), picture);
        assertTrue(clients.stream().anyMatch(c -> c.name().equals("POST /api/payments")), picture);
    }

    @Test
    void userAndPaymentServerSpansAreChildrenOfOrdersClientSpans() {
        for (String callee : List.of("user", "payment")) {
            ReceivedSpan calleeServer = server(tree.spans(), callee).orElseThrow();
            ReceivedSpan parent = tree.parent(calleeServer).orElseGet(
                    () -> fail(callee + "'s server span has no received parent\n" + picture));
            assertEquals("order", parent.service(), callee + "'s server span is a child of an order span\n" + picture);
            assertTrue(parent.isClient(), callee + "'s server span is a child of order's client span\n" + picture);
        }
        assertEquals("GET /api/users/{id}", server(tree.spans(), "user").orElseThrow().name(), picture);
        assertEquals("POST /api/payments", server(tree.spans(), "payment").orElseThrow().name(), picture);
    }

    @Test
    void everyServiceHasDatabaseSpansUnderItsServerSpan() {
        for (String service : List.of("order", "user", "payment")) {
            ReceivedSpan serverSpan = server(tree.spans(), service).orElseThrow();
            List<ReceivedSpan> statements = spans(service).stream().filter(ReceivedSpan::isDatabase).toList();
            assertFalse(statements.isEmpty(), service + " has database spans in the trace\n" + picture);
            for (ReceivedSpan statement : statements) {
                assertEquals(serverSpan.spanId(), statement.parentSpanId(),
                        statement + " is a direct child of " + service + "'s server span\n" + picture);
            }
        }
    }

    @Test
    void everyServiceReportsItsResource() {
        for (String service : List.of("order", "user", "payment")) {
            ReceivedSpan serverSpan = server(tree.spans(), service).orElseThrow();
            assertEquals("meshshop", serverSpan.resource().get("service.namespace"), service);
            assertEquals("v1", serverSpan.resource().get("service.version"), service);
            assertEquals("local", serverSpan.resource().get("deployment.environment.name"), service);
        }
    }

    /** Jaeger shows why a checkout ended as it did: the order and the payment outcome are on the spans. */
    @Test
    void businessOutcomesAreOnTheServerSpans() {
        ReceivedSpan orderServer = server(tree.spans(), "order").orElseThrow();
        assertEquals(order.getString("id"), orderServer.attributes().get("order.id"),
                "order's server span carries order.id (order's code: Spans.tag(\"order.id\", id))\n" + picture);
        assertEquals("PAID", orderServer.attributes().get("order.status"),
                "order's server span carries order.status (Spans.tag(\"order.status\", status))\n" + picture);
        ReceivedSpan paymentServer = server(tree.spans(), "payment").orElseThrow();
        assertEquals("CAPTURED", String.valueOf(paymentServer.attributes().get("payment.status")).toUpperCase(java.util.Locale.ROOT),
                "payment's server span carries payment.status (payment's code: Spans.tag(\"payment.status\", ...))\n" + picture);
        assertEquals(order.getString("id"), paymentServer.attributes().get("order.id"),
                "payment's server span carries the order.id it charged\n" + picture);
    }

    /** Istio's OpenTelemetry provider makes Envoy speak W3C only: a client's B3 headers must change nothing. */
    @Test
    void aStaleB3HeaderChangesNothing() {
        assertTrue(receiver.trace(stale.traceId()).isEmpty(),
                "no service joined the stale B3 trace: " + receiver.trace(stale.traceId()) + "\n" + picture);
        for (ReceivedSpan span : tree.spans()) {
            assertFalse(span.parentSpanId().equals(stale.parentSpanId()), span + " adopted the B3 parent\n" + picture);
        }
    }

    /** OpenTelemetry's stable semantic conventions, on the spans as they leave each service. */
    @Test
    void spansUseTheStableSemanticConventions() {
        ReceivedSpan orderServer = server(tree.spans(), "order").orElseThrow();
        assertEquals("POST", orderServer.attributes().get("http.request.method"), picture);
        assertEquals("201", orderServer.attributes().get("http.response.status_code"), picture);
        assertEquals("/api/orders", orderServer.attributes().get("http.route"), picture);
        for (ReceivedSpan span : tree.spans()) {
            for (String old : List.of("http.method", "http.status_code", "db.type", "db.operation", "db.statement")) {
                assertFalse(span.attributes().containsKey(old), span + " still carries " + old + "\n" + picture);
            }
        }
        ReceivedSpan toUser = spans("order").stream().filter(s -> s.name().equals("GET /api/users/{id}")).findFirst()
                .orElseGet(() -> fail("order's call to user\n" + picture));
        assertEquals("CLIENT", toUser.kind(), picture);
        assertEquals("/api/users/{id}", toUser.attributes().get("url.template"), picture);
        assertEquals("GET", toUser.attributes().get("http.request.method"), picture);
        assertEquals("200", toUser.attributes().get("http.response.status_code"), picture);
        assertEquals("127.0.0.1", toUser.attributes().get("server.address"), picture);
        for (String service : List.of("order", "user", "payment")) {
            for (ReceivedSpan statement : spans(service).stream().filter(ReceivedSpan::isDatabase).toList()) {
                assertEquals("CLIENT", statement.kind(), statement + "\n" + picture);
                assertEquals("h2database", statement.attributes().get("db.system.name"), statement + "\n" + picture);
                assertTrue(statement.attributes().getOrDefault("db.operation.name", "").matches("[A-Z]+"),
                        statement + " db.operation.name\n" + picture);
                assertFalse(statement.attributes().getOrDefault("db.query.text", "").isBlank(),
                        statement + " db.query.text\n" + picture);
                assertFalse(statement.attributes().getOrDefault("db.query.text", "").contains(email),
                        statement + " has parameters in its text\n" + picture);
            }
        }
    }

    /** Grafana opens an exemplar's trace in Jaeger: the trace id on the histogram must be one that was exported. */
    @Test
    void anExemplarsTraceIdIsOneTheExportCarried() {
        Http.Answer scraped = Http.get(orderService.baseUrl() + "/observe/metrics",
                "Accept", "application/openmetrics-text; version=1.0.0");
        assertEquals(200, scraped.status(), scraped.body());
        List<String> exemplars = scraped.body().lines()
                .filter(line -> line.startsWith("meshshop_http_server_requests_seconds_bucket{")
                        && line.contains("route=\"/api/orders\"") && line.contains(" # {"))
                .toList();
        assertFalse(exemplars.isEmpty(), "a bucket of /api/orders with an exemplar in:\n" + scraped.body());
        for (String line : exemplars) {
            String traceId = line.replaceAll(".*trace_id=\"([0-9a-f]{32})\".*", "$1");
            assertEquals(32, traceId.length(), "an exemplar with label trace_id: " + line);
            assertFalse(receiver.trace(traceId).isEmpty(), "the exemplar's trace " + traceId
                    + " was exported to the receiver: " + line);
        }
        assertTrue(scraped.body().contains("meshshop_idempotency_requests_total{outcome=\"key_reused\""),
                "idempotency outcomes exist before their first event");
    }

    @Test
    void noSpanCarriesTheEmailAddress() {
        Assertions.noPersonalData(tree, email);
    }

    private List<ReceivedSpan> spans(String service) {
        return tree.spans().stream().filter(span -> span.service().equals(service)).toList();
    }

    private ServiceProcess start(String name, Map<String, String> env) {
        ServiceProcess service = ServiceProcess.start(name, env);
        started.add(service);
        return service;
    }

    private static Optional<ReceivedSpan> server(List<ReceivedSpan> spans, String service) {
        return spans.stream().filter(span -> span.service().equals(service) && span.isServer()).findFirst();
    }
}
