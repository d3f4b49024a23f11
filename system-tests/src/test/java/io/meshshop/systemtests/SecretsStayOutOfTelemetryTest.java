package io.meshshop.systemtests;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * Passwords, access tokens and e-mail addresses never leave a service as telemetry. The three services run
 * as processes with every span exported to a real OTLP receiver, their access logs on (as in run-local.sh)
 * and their own loggers (and Nimbus's) at every level down to FINEST; then a customer signs up, signs in,
 * fails to sign in until throttled, reads themself, is refused a tampered copy of their token, places an
 * order and cancels it. Afterwards none of the password, the wrong password, the access token (nor its
 * payload or signature part), nor the e-mail address (as typed, lower-cased, URL-encoded, or its local part)
 * may appear in any process's output, in any span received (names, attributes, events, resources), or in
 * the metrics of any service; and the sign-in outcome counter has counted a success, a wrong password and a
 * throttled attempt.
 *
 * <p>The services are started and the traffic made once, in {@link #traffic()}; each test reads what it
 * left, so a failure names the one place that leaked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsStayOutOfTelemetryTest {

    private static final String SIGN_INS = "meshshop_sign_ins_total";

    private final List<ServiceProcess> started = new ArrayList<>();
    private final Map<String, String> logs = new LinkedHashMap<>();
    private final Map<String, String> metrics = new LinkedHashMap<>();
    private final List<TraceContext> traces = new ArrayList<>();
    /** What must never appear, by a name a failure may print. */
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private OtlpReceiver receiver;
    private Map<String, Double> signInsBefore;
    private Map<String, Double> signInsAfter;

    @BeforeAll
    @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void traffic() throws IOException {
        receiver = OtlpReceiver.start();
        Path logging = Repo.scratch("secrets-logging").resolve("logging.properties");
        // Every level of our own loggers and of the token library: a secret in a FINE message leaks as surely.
        Files.writeString(logging, """
                handlers=io.helidon.logging.jul.HelidonConsoleHandler
                io.helidon.logging.jul.HelidonConsoleHandler.level=ALL
                java.util.logging.SimpleFormatter.format=%1$tY.%1$tm.%1$td %1$tH:%1$tM:%1$tS.%1$tL %4$s %3$s: %5$s%6$s%n
                .level=INFO
                io.meshshop.level=ALL
                com.nimbusds.level=ALL
                io.helidon.webserver.AccessLog.level=INFO
                """);
        List<String> jvm = List.of("-Djava.util.logging.config.file=" + logging);
        Map<String, String> env = new LinkedHashMap<>(ServiceProcess.otlpTo(receiver.endpoint()));
        env.put("ACCESS_dash_LOG_ENABLED", "true");
        ServiceProcess user = start("user", env, jvm);
        ServiceProcess payment = start("payment", env, jvm);
        Map<String, String> orderEnv = new LinkedHashMap<>(env);
        orderEnv.put("USER_SERVICE_URL", user.baseUrl());
        orderEnv.put("PAYMENT_SERVICE_URL", payment.baseUrl());
        orderEnv.putAll(user.jwksFor());
        ServiceProcess order = start("order", orderEnv, jvm);
        signInsBefore = signIns(user);

        String random = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String localPart = "Secret.Keeper." + random;
        String email = localPart + "@Example.com";
        String password = "correct horse battery " + random;
        String wrongPassword = "incorrect donkey " + random;

        Customer customer = Customer.signUp(user.baseUrl(), "Secret Keeper", email, password, traced());
        Http.Answer wrong = Customer.signIn(user.baseUrl(), email, wrongPassword, traced());
        assertEquals(401, wrong.status(), "a wrong password: " + wrong.body());
        int attempts = 1;
        Http.Answer throttled = wrong;
        while (throttled.status() != 429 && attempts < 10) {
            throttled = Customer.signIn(user.baseUrl(), email, wrongPassword, traced());
            attempts++;
        }
        assertEquals(429, throttled.status(), "throttled after " + attempts + " wrong passwords: " + throttled.body());

        Http.Answer me = Http.get(user.baseUrl() + "/api/users/me", with(customer.bearer(), traced()));
        assertEquals(200, me.status(), "the customer reads themself: " + me.body());
        String[] parts = customer.token().split("\\.");
        assertEquals(3, parts.length, "a JWS in compact form");
        String tampered = parts[0] + "." + parts[1] + "." + (parts[2].charAt(0) == 'A' ? 'B' : 'A') + parts[2].substring(1);
        Http.Answer refused = Http.get(order.baseUrl() + "/api/orders", with(new String[] {"Authorization", "Bearer " + tampered},
                traced()));
        assertEquals(401, refused.status(), "a tampered token is refused: " + refused.body());

        Http.Answer placed = Http.postJson(order.baseUrl() + "/api/orders",
                "{\"items\":[{\"sku\":\"MESH-MUG\",\"quantity\":1}]}",
                with(customer.bearer(), traced(), new String[] {"Idempotency-Key", UUID.randomUUID().toString()}));
        assertEquals(201, placed.status(), "checkout: " + placed.body());
        String orderId = placed.json().getString("id");
        Http.Answer cancelled = Http.postJson(order.baseUrl() + "/api/orders/" + orderId + "/cancel", "",
                with(customer.bearer(), traced(), new String[] {"Idempotency-Key", UUID.randomUUID().toString()}));
        assertEquals(200, cancelled.status(), "cancel: " + cancelled.body());

        // Every request above was its own trace; each has its server span once exported.
        for (TraceContext trace : traces) {
            receiver.awaitTrace(trace.traceId(), spans -> spans.stream().anyMatch(ReceivedSpan::isServer),
                    Duration.ofSeconds(30));
        }
        signInsAfter = signIns(user);
        for (ServiceProcess service : started) {
            metrics.put(service.name(), Http.get(service.baseUrl() + "/observe/metrics", "Accept", "text/plain").body());
        }
        // Stopped before the logs are read: whatever a process still had buffered is written by then.
        ServiceProcess.closeAll(started);
        for (ServiceProcess service : started) {
            logs.put(service.name(), service.logText());
        }

        secrets.put("the password", password);
        secrets.put("the wrong password", wrongPassword);
        secrets.put("the access token", customer.token());
        secrets.put("the access token's payload part", parts[1]);
        secrets.put("the access token's signature part", parts[2]);
        secrets.put("the tampered token's signature part", tampered.substring(tampered.lastIndexOf('.') + 1));
        secrets.put("the e-mail address as typed", email);
        secrets.put("the e-mail address URL-encoded", URLEncoder.encode(email, StandardCharsets.UTF_8));
        secrets.put("the e-mail address's local part", localPart);
    }

    @AfterAll
    void stop() {
        ServiceProcess.closeAll(started);
        if (receiver != null) {
            receiver.close();
        }
    }

    /** The checks below are not vacuous: the logs hold the requests, the receiver the sign-in's spans. */
    @Test
    void theTelemetryRecordedTheTraffic() {
        assertTrue(logs.get("user").contains("/api/sessions"), "user's access log shows the sign-ins");
        assertTrue(logs.get("order").contains("/api/orders"), "order's access log shows the checkout");
        assertTrue(receiver.spans().stream().anyMatch(s -> s.isServer() && s.name().equals("POST /api/sessions")),
                "the receiver got the sign-in's server span");
        assertTrue(receiver.spans().stream().anyMatch(s -> s.isServer() && s.service().equals("order")
                && s.name().startsWith("POST /api/orders")), "the receiver got the checkout's server spans");
        for (String service : List.of("user", "order", "payment")) {
            assertTrue(metrics.get(service).contains("meshshop_http_server_requests_seconds"), service + "'s metrics");
        }
    }

    @Test
    void noSecretInAnyProcessOutput() {
        logs.forEach((service, text) -> assertAbsent(service + "'s output (stdout and stderr)", text));
    }

    @Test
    void noSecretInAnySpan() {
        TraceTree all = new TraceTree(receiver.spans());
        secrets.forEach((what, secret) -> Assertions.noSecret(all, what, secret));
        // Then everything else an export carries: events (an exception's message), links, status messages.
        for (String export : receiver.exports()) {
            assertAbsent("an OTLP export", export);
        }
    }

    @Test
    void noSecretInAnyMetric() {
        metrics.forEach((service, text) -> assertAbsent(service + "'s /observe/metrics", text));
    }

    @Test
    void signInOutcomesAreCounted() {
        for (String outcome : List.of("success", "invalid_credentials", "throttled")) {
            double before = signInsBefore.getOrDefault(outcome, 0.0);
            double after = signInsAfter.getOrDefault(outcome, 0.0);
            assertTrue(after > before, SIGN_INS + "{outcome=\"" + outcome + "\"} did not move: " + before + " -> " + after
                    + "; all outcomes after: " + signInsAfter);
        }
        assertFalse(signInsAfter.isEmpty());
    }

    /** Fails when any secret is in {@code text} (ignoring case), naming where and which, never the secret itself. */
    private void assertAbsent(String where, String text) {
        String haystack = text.toLowerCase(Locale.ROOT);
        secrets.forEach((what, secret) -> {
            int at = haystack.indexOf(secret.toLowerCase(Locale.ROOT));
            if (at >= 0) {
                int lineStart = haystack.lastIndexOf('\n', at) + 1;
                int lineEnd = haystack.indexOf('\n', at);
                String line = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd);
                fail(where + " contains " + what + ": " + masked(line));
            }
        });
    }

    /** The line with every secret replaced by its name, so the failure report does not leak it again. */
    private String masked(String line) {
        String out = line;
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            out = Pattern.compile(Pattern.quote(secret.getValue()), Pattern.CASE_INSENSITIVE).matcher(out)
                    .replaceAll(Matcher.quoteReplacement("<" + secret.getKey() + ">"));
        }
        return out.length() > 400 ? out.substring(0, 400) + "..." : out;
    }

    /** {@code meshshop_sign_ins_total} by outcome, summed over its other labels; empty before the first sign-in. */
    private static Map<String, Double> signIns(ServiceProcess user) {
        Http.Answer answer = Http.get(user.baseUrl() + "/observe/metrics", "Accept", "text/plain");
        assertEquals(200, answer.status());
        Map<String, Double> counts = new LinkedHashMap<>();
        Pattern outcome = Pattern.compile("outcome=\"([^\"]*)\"");
        for (String line : answer.body().split("\n")) {
            if (line.startsWith(SIGN_INS + "{")) {
                Matcher m = outcome.matcher(line);
                if (m.find()) {
                    double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    counts.merge(m.group(1), value, Double::sum);
                }
            }
        }
        return counts;
    }

    /** A traceparent for one more request, remembered so that the test waits for its spans. */
    private String[] traced() {
        TraceContext trace = TraceContext.random();
        traces.add(trace);
        return new String[] {"traceparent", trace.traceparent()};
    }

    private static String[] with(String[]... headers) {
        List<String> all = new ArrayList<>();
        for (String[] pair : headers) {
            all.addAll(List.of(pair));
        }
        return all.toArray(String[]::new);
    }

    private ServiceProcess start(String name, Map<String, String> env, List<String> jvm) {
        ServiceProcess service = ServiceProcess.start(name, env, jvm);
        started.add(service);
        return service;
    }
}
