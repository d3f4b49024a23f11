package io.meshshop.common.observe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import io.meshshop.common.db.Databases;
import io.meshshop.common.testing.Await;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.dbclient.DbClient;
import io.helidon.http.HeaderNames;
import io.helidon.tracing.Tracer;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * What a service's spans and metrics look like with Observability's real SDK set-up: a server with the observe
 * feature and RequestMetrics, a database and a client call, spans taken from the exporter (after the rewrite to
 * the stable conventions), and the metrics as Prometheus scrapes them with OpenMetrics.
 */
class TracingConventionsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, String> SETTINGS = Map.of(
            "otel.exporter.otlp.endpoint", "http://127.0.0.1:9",
            "otel.traces.exporter", "meshshop-memory",
            "otel.traces.sampler", "always_on",
            "otel.bsp.schedule.delay", "20");

    private static DbClient db;
    private static WebServer server;

    @BeforeAll
    static void start() {
        SETTINGS.forEach(System::setProperty);
        Tracer tracer = Observability.tracer(Config.just(ConfigSources.create(Map.of("service", "observed"))));
        Config dbConfig = Config.just(ConfigSources.create(Map.of(
                "url", "jdbc:h2:mem:observe-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "user", "sa")));
        db = Databases.open(dbConfig);
        server = WebServer.builder().port(0).host("127.0.0.1")
                .addFeature(Observability.observe(Config.empty(), db, dbConfig, tracer, () -> false))
                .routing(routing -> {
                    routing.addFilter(new RequestMetrics());
                    routing.get("/things/{id}", (req, res) -> {
                        db.execute().createNamedQuery("things-one", "SELECT 1 AS one").execute().count();
                        WebClient client = WebClient.builder()
                                .baseUri("http://127.0.0.1:" + server.port())
                                .servicesDiscoverServices(false)
                                .addService(ClientTracing.create())
                                .build();
                        try (var echoed = client.get("/echo/" + UUID.randomUUID()).request()) {
                            res.send("echo answered " + echoed.status().code());
                        }
                    });
                    routing.get("/echo/{id}", (req, res) -> res.status(204).send());
                    // The same call with the JDK's client (order's), its span made by ClientTracing.start.
                    routing.get("/jdk-things/{id}", (req, res) -> {
                        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/jdk-echo/" + UUID.randomUUID());
                        HttpRequest.Builder call = HttpRequest.newBuilder(uri);
                        ClientTracing.Call span = ClientTracing.start("GET", uri,
                                (name, values) -> values.forEach(value -> call.header(name, value)));
                        HttpResponse<Void> echoed = HTTP.send(call.build(), HttpResponse.BodyHandlers.discarding());
                        span.answered(echoed.statusCode());
                        res.send("echo answered " + echoed.statusCode());
                    });
                    routing.get("/jdk-echo/{id}", (req, res) -> res.status(404)
                            .send(req.headers().first(HeaderNames.create("traceparent")).orElse("none")));
                    routing.get("/refused", (req, res) -> res.status(422).send("no"));
                    routing.get("/broken", (req, res) -> res.status(503).send("down"));
                })
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        SETTINGS.keySet().forEach(System::clearProperty);
    }

    @Test
    void serverClientAndDatabaseSpansUseTheStableNames() {
        HttpResponse<String> answer = get("/things/42", "text/plain");
        assertThat(answer.body(), answer.statusCode(), is(200));

        SpanData served = awaitSpan("the server span of GET /things/{id}",
                span -> span.getName().equals("GET /things/{id}"));
        assertThat("kind of " + served, served.getKind(), is(SpanKind.SERVER));
        assertThat("http.request.method", attr(served, "http.request.method"), is("GET"));
        assertThat("http.response.status_code", served.getAttributes().get(AttributeKey.longKey(
                "http.response.status_code")), is(200L));
        assertThat("http.route", attr(served, "http.route"), is("/things/{id}"));
        assertThat("url.path", attr(served, "url.path"), is("/things/42"));
        for (String old : List.of("http.method", "http.status_code", "http.url")) {
            assertThat(old + " is replaced on " + served, served.getAttributes().asMap().keySet().stream()
                    .anyMatch(key -> key.getKey().equals(old)), is(false));
        }

        SpanData statement = awaitSpan("the statement's span", span -> span.getName().equals("things-one"));
        assertThat("the statement's span is a child of the server span", statement.getParentSpanId(),
                is(served.getSpanId()));
        assertThat("kind of " + statement, statement.getKind(), is(SpanKind.CLIENT));
        assertThat("db.system.name", attr(statement, "db.system.name"), is("h2database"));
        assertThat("db.operation.name", attr(statement, "db.operation.name"), is("SELECT"));
        assertThat("db.query.text", attr(statement, "db.query.text"), is("SELECT 1 AS one"));
        assertThat("db.statement is replaced", attr(statement, "db.statement"), nullValue());
        assertThat("db.type is replaced", attr(statement, "db.type"), nullValue());

        SpanData call = clientSpan(served, "/echo/{id}", 204);
        assertThat("no http.route on a client span", attr(call, "http.route"), nullValue());
        assertThat("no error.type on a 204", attr(call, "error.type"), nullValue());
    }

    @Test
    void aJdkClientCallGetsTheSameClientSpanAndPropagatesIt() {
        HttpResponse<String> answer = get("/jdk-things/7", "text/plain");
        assertThat(answer.body(), answer.statusCode(), is(200));

        SpanData served = awaitSpan("the server span of GET /jdk-things/{id}",
                span -> span.getName().equals("GET /jdk-things/{id}"));
        SpanData call = clientSpan(served, "/jdk-echo/{id}", 404);
        SpanData echoed = awaitSpan("the called server span", span -> span.getName().equals("GET /jdk-echo/{id}")
                && span.getKind() == SpanKind.SERVER);
        assertThat("the callee's span is a child of the client span (traceparent)", echoed.getParentSpanId(),
                is(call.getSpanId()));
        assertThat("a 4xx is a failed call for a client", attr(call, "error.type"), is("404"));
        assertThat("status of a 4xx client span", call.getStatus().getStatusCode(), is(StatusCode.ERROR));
    }

    @Test
    void a4xxIsNotAServerErrorAnd5xxIs() {
        assertThat("GET /refused", get("/refused", "text/plain").statusCode(), is(422));
        assertThat("GET /broken", get("/broken", "text/plain").statusCode(), is(503));
        SpanData refused = awaitSpan("the 422's span", span -> span.getName().equals("GET /refused"));
        assertThat("a 4xx leaves the server span's status unset", refused.getStatus().getStatusCode(),
                is(StatusCode.UNSET));
        assertThat("no error.type on a 4xx server span", attr(refused, "error.type"), nullValue());
        SpanData broken = awaitSpan("the 503's span", span -> span.getName().equals("GET /broken"));
        assertThat("a 5xx is an error", broken.getStatus().getStatusCode(), is(StatusCode.ERROR));
        assertThat("error.type of a 5xx", attr(broken, "error.type"), is("503"));
    }

    @Test
    void backgroundWorkIsOneTraceAndStrayStatementsAreNone() {
        db.execute().createNamedQuery("stray-statement", "SELECT 2 AS two").execute().count();
        String done = Spans.inNewTrace("test-task", "test work", Map.of("order.id", "o-1"), () -> {
            db.execute().createNamedQuery("task-statement", "SELECT 3 AS three").execute().count();
            return "done";
        });
        assertThat("inNewTrace answers the work's result", done, is("done"));
        SpanData work = awaitSpan("the task's span", span -> span.getName().equals("test work"));
        SpanData statement = awaitSpan("the task's statement", span -> span.getName().equals("task-statement"));
        assertThat("the task's span is a root", work.getParentSpanContext().isValid(), is(false));
        assertThat("meshshop.task", attr(work, "meshshop.task"), is("test-task"));
        assertThat("order.id", attr(work, "order.id"), is("o-1"));
        assertThat("the statement is in the task's trace", statement.getTraceId(), is(work.getTraceId()));
        assertThat("the statement is the task's child", statement.getParentSpanId(), is(work.getSpanId()));
        assertThat("a statement outside any span starts no trace", find(span -> span.getName().equals(
                "stray-statement")), is(Optional.empty()));
    }

    @Test
    void histogramBucketsCarryTheTraceIdAsExemplarInOpenMetrics() {
        assertThat("GET /refused", get("/refused", "text/plain").statusCode(), is(422));
        SpanData refused = awaitSpan("the 422's span", span -> span.getName().equals("GET /refused"));
        String metrics = get("/observe/metrics", "application/openmetrics-text; version=1.0.0").body();
        String bucket = metrics.lines()
                .filter(line -> line.startsWith("meshshop_http_server_requests_seconds_bucket{")
                        && line.contains("route=\"/refused\"") && line.contains(" # {"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no bucket of /refused with an exemplar in:\n" + metrics));
        assertThat("the exemplar's labels in " + bucket, bucket.matches(".* # \\{.*trace_id=\"[0-9a-f]{32}\".*\\} .*"),
                is(true));
        String traceId = bucket.replaceAll(".*trace_id=\"([0-9a-f]{32})\".*", "$1");
        // The sampler keeps an exemplar for a while rather than the latest request's: any /refused request's.
        assertThat("the exemplar names the trace of a GET /refused that was exported", find(span -> span.getTraceId()
                .equals(traceId) && span.getName().equals(refused.getName())).isPresent(), is(true));
        System.out.println("[exemplar] " + bucket);
        assertThat("idempotency outcomes exist before their first event", metrics,
                containsString("meshshop_idempotency_requests_total{outcome=\"key_reused\""));
        assertThat("plain Prometheus text carries no exemplars", get("/observe/metrics", "text/plain").body(),
                not(containsString(" # {")));
    }

    /** The client span of a GET to {@code template} made while serving {@code served}, with its attributes checked. */
    private static SpanData clientSpan(SpanData served, String template, long status) {
        SpanData call = awaitSpan("the client span", span -> span.getName().equals("GET " + template)
                && span.getKind() == SpanKind.CLIENT);
        assertThat("the client span is a child of the server span", call.getParentSpanId(), is(served.getSpanId()));
        assertThat("url.template", attr(call, "url.template"), is(template));
        assertThat("http.request.method", attr(call, "http.request.method"), is("GET"));
        assertThat("server.address", attr(call, "server.address"), is("127.0.0.1"));
        assertThat("server.port", call.getAttributes().get(AttributeKey.longKey("server.port")),
                is((long) server.port()));
        assertThat("http.response.status_code", call.getAttributes().get(AttributeKey.longKey(
                "http.response.status_code")), is(status));
        return call;
    }

    private static String attr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    private static SpanData awaitSpan(String what, Predicate<SpanData> which) {
        Await.until(what + " exported", Duration.ofSeconds(10), () -> find(which).isPresent());
        return find(which).orElseThrow();
    }

    private static Optional<SpanData> find(Predicate<SpanData> which) {
        return MemorySpans.EXPORTED.stream().filter(which).reduce((first, second) -> second);
    }

    private static HttpResponse<String> get(String path, String accept) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("GET " + path, e);
        }
    }
}
