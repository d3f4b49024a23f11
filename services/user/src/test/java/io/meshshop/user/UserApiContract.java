package io.meshshop.user;

import io.meshshop.common.testing.Answer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.meshshop.common.testing.HttpCalls;

import io.helidon.webserver.WebServer;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * The user API as a client sees it, over real HTTP against the server as {@link Main} builds it. Run once
 * on H2 and once on PostgreSQL by the subclasses.
 */
abstract class UserApiContract {

    private final String base;

    UserApiContract(WebServer server) {
        this.base = "http://localhost:" + server.port();
    }

    // ---- the happy paths --------------------------------------------------------------------------------

    @Test
    void registersTrimmedLowerCasedAndReadsBack() {
        String email = unique("Ada.Lovelace@Example.COM");
        Answer created = post("/api/users", "{\"name\":\"  Ada Lovelace \",\"email\":\"  " + email + " \"}");
        assertThat(created.status(), is(201));
        JsonObject user = created.json();
        assertThat(user.getString("name"), is("Ada Lovelace"));
        assertThat(user.getString("email"), is(email.toLowerCase()));
        assertThat(created.header("Location"), is("/api/users/" + user.getString("id")));
        assertThat(user.getString("createdAt"), notNullValue());

        Answer read = get(created.header("Location"));
        assertThat(read.status(), is(200));
        assertThat(read.json(), is(user));
    }

    @Test
    void emailIsUniqueCaseInsensitively() {
        String email = unique("grace@example.com");
        assertThat(register("Grace", email).status(), is(201));
        Answer second = register("Grace Two", email.toUpperCase());
        assertThat(second.status(), is(409));
        assertThat(second.problemType(), is("email-taken"));
        assertThat(second.contentType(), is("application/problem+json"));
    }

    @Test
    void findsByEmail() {
        String email = unique("find.me@example.com");
        String id = register("Find Me", email).json().getString("id");
        Answer found = get("/api/users?email=" + email.toUpperCase());
        assertThat(found.status(), is(200));
        assertThat(found.json().getJsonArray("items"), hasSize(1));
        assertThat(found.json().getJsonArray("items").getJsonObject(0).getString("id"), is(id));
        assertThat(get("/api/users?email=" + unique("nobody@example.com")).json().getJsonArray("items"), hasSize(0));
    }

    @Test
    void pagesThroughEveryUserOnceInOrder() {
        for (int i = 0; i < 5; i++) {
            register("Pager " + i, unique("pager" + i + "@example.com"));
        }
        List<String> seen = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            Answer page = get("/api/users?limit=2" + (next == null ? "" : "&after=" + next));
            assertThat(page.status(), is(200));
            assertThat(page.json().getJsonArray("items").size() <= 2, is(true));
            page.json().getJsonArray("items").forEach(v -> seen.add(v.asJsonObject().getString("id")));
            next = page.json().containsKey("next") ? page.json().getString("next") : null;
            pages++;
        } while (next != null && pages < 1000);
        assertThat("no duplicates across pages", new HashSet<>(seen).size(), is(seen.size()));
        assertThat(seen.size() >= 5, is(true));
        assertThat(get("/api/users?limit=100").json().getJsonArray("items").size(), is(Math.min(100, seen.size())));
    }

    @Test
    void changesNameAndEmail() {
        String id = register("Old Name", unique("old@example.com")).json().getString("id");
        String newEmail = unique("new@example.com");
        Answer changed = put("/api/users/" + id, "{\"name\":\"New Name\",\"email\":\"" + newEmail.toUpperCase() + "\"}");
        assertThat(changed.status(), is(200));
        assertThat(changed.json().getString("name"), is("New Name"));
        assertThat(changed.json().getString("email"), is(newEmail));
        assertThat(get("/api/users/" + id).json().getString("name"), is("New Name"));

        Answer nameOnly = put("/api/users/" + id, "{\"name\":\"Newer\"}");
        assertThat(nameOnly.json().getString("email"), is(newEmail));

        String taken = unique("taken@example.com");
        register("Holder", taken);
        assertThat(put("/api/users/" + id, "{\"name\":\"X\",\"email\":\"" + taken + "\"}").status(), is(409));
        assertThat(put("/api/users/" + UUID.randomUUID(), "{\"name\":\"X\"}").status(), is(404));
    }

    @Test
    void deleteIsIdempotent() {
        String location = register("Temp", unique("temp@example.com")).header("Location");
        assertThat(send("DELETE", location, null).status(), is(204));
        assertThat(send("DELETE", location, null).status(), is(204));
        assertThat(get(location).status(), is(404));
    }

    @Test
    void unknownAndMalformedIdsAreProblems() {
        Answer missing = get("/api/users/" + UUID.randomUUID());
        assertThat(missing.status(), is(404));
        assertThat(missing.problemType(), is("not-found"));
        for (String bad : List.of("abc", "1-2-3-4-5", "00000000-0000-0000-0000-00000000000g", "%27%20OR%201%3D1")) {
            Answer answer = get("/api/users/" + bad);
            assertThat(bad, answer.status(), is(400));
            assertThat(answer.problemType(), is("validation"));
        }
    }

    @Test
    void badQueryValuesAreProblems() {
        for (String query : List.of("limit=0", "limit=101", "limit=abc", "limit=", "after=nonsense",
                "after=" + java.util.Base64.getUrlEncoder().encodeToString("x:y".getBytes()), "email=not-an-email")) {
            Answer answer = get("/api/users?" + query);
            assertThat(query, answer.status(), is(400));
            assertThat(answer.contentType(), is("application/problem+json"));
        }
    }

    @Test
    void unknownRoutesAndMethodsAreProblems() {
        Answer patch = send("PATCH", "/api/users", "{}");
        assertThat(patch.status(), is(405));
        assertThat(patch.header("Allow"), is("GET, POST"));
        Answer nowhere = get("/api/nowhere");
        assertThat(nowhere.status(), is(404));
        assertThat(nowhere.contentType(), is("application/problem+json"));
    }

    // ---- idempotency --------------------------------------------------------------------------------

    @Test
    void sameKeySameRequestReplaysTheFirstAnswer() {
        String key = UUID.randomUUID().toString();
        String body = "{\"name\":\"Once\",\"email\":\"" + unique("once@example.com") + "\"}";
        Answer first = post("/api/users", body, "Idempotency-Key", key);
        Answer again = post("/api/users", body, "Idempotency-Key", key);
        Answer quoted = post("/api/users", body, "Idempotency-Key", "\"" + key + "\"");
        assertThat(first.status(), is(201));
        assertThat(first.header("Idempotent-Replayed"), nullValue());
        for (Answer replay : List.of(again, quoted)) {
            assertThat(replay.status(), is(201));
            assertThat(replay.raw().body(), is(first.raw().body()));
            assertThat(replay.header("Location"), is(first.header("Location")));
            assertThat(replay.header("Idempotent-Replayed"), is("true"));
        }
    }

    @Test
    void sameKeyOtherRequestIs422AndChangesNothing() {
        String key = UUID.randomUUID().toString();
        String email = unique("first@example.com");
        post("/api/users", "{\"name\":\"First\",\"email\":\"" + email + "\"}", "Idempotency-Key", key);
        String other = unique("other@example.com");
        Answer reused = post("/api/users", "{\"name\":\"Other\",\"email\":\"" + other + "\"}", "Idempotency-Key", key);
        assertThat(reused.status(), is(422));
        assertThat(reused.problemType(), is("idempotency-key-reused"));
        assertThat(get("/api/users?email=" + other).json().getJsonArray("items"), hasSize(0));
    }

    @Test
    void aConflictIsStoredAndReplayedToo() {
        String email = unique("conflict@example.com");
        register("Holder", email);
        String key = UUID.randomUUID().toString();
        String body = "{\"name\":\"Late\",\"email\":\"" + email + "\"}";
        Answer first = post("/api/users", body, "Idempotency-Key", key);
        Answer again = post("/api/users", body, "Idempotency-Key", key);
        assertThat(first.status(), is(409));
        assertThat(again.status(), is(409));
        assertThat(again.header("Idempotent-Replayed"), is("true"));
    }

    @Test
    void malformedIdempotencyKeysAreRejected() {
        String tooLong = "k".repeat(256);
        for (String key : List.of("", "\"\"", tooLong, "\"unterminated", "has space", "\"bad\\escape\"")) {
            String email = unique("key@example.com");
            Answer answer = post("/api/users", "{\"name\":\"K\",\"email\":\"" + email + "\"}", "Idempotency-Key", key);
            assertThat("key <" + key + ">", answer.status(), is(400));
            assertThat(answer.problemType(), is("invalid-idempotency-key"));
            assertThat(get("/api/users?email=" + email).json().getJsonArray("items"), hasSize(0));
        }
        assertThat(post("/api/users", "{\"name\":\"K\",\"email\":\"" + unique("k255@example.com") + "\"}",
                "Idempotency-Key", "k".repeat(255)).status(), is(201));
    }

    @Test
    void concurrentDuplicatesHaveExactlyOneEffect() {
        String key = UUID.randomUUID().toString();
        String email = unique("storm@example.com");
        String body = "{\"name\":\"Storm\",\"email\":\"" + email + "\"}";
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(() -> HttpCalls.send("POST", base + "/api/users", body, "Idempotency-Key", key).statusCode());
        }
        List<Integer> statuses = HttpCalls.concurrently(calls);
        assertThat(statuses, everyItem(isOneOf(201, 409)));
        assertThat(statuses.contains(201), is(true));
        assertThat(get("/api/users?email=" + email).json().getJsonArray("items"), hasSize(1));
    }

    // ---- bad input ----------------------------------------------------------------------------------

    static Stream<Arguments> badBodies() {
        String longName = "n".repeat(201);
        String longEmail = "a".repeat(250) + "@x.io";
        return Stream.of(
                Arguments.of("malformed JSON", "{\"name\":", 400, "malformed-json"),
                Arguments.of("not an object", "[1,2]", 400, "malformed-json"),
                Arguments.of("empty body", "", 400, "malformed-json"),
                Arguments.of("duplicate keys", "{\"name\":\"a\",\"name\":\"b\",\"email\":\"d@e.io\"}", 400, "malformed-json"),
                Arguments.of("deep nesting", "{\"name\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, "malformed-json"),
                Arguments.of("wrong types", "{\"name\":42,\"email\":true}", 400, "validation"),
                Arguments.of("null fields", "{\"name\":null,\"email\":null}", 400, "validation"),
                Arguments.of("missing fields", "{}", 400, "validation"),
                Arguments.of("blank name", "{\"name\":\"   \",\"email\":\"b@c.io\"}", 400, "validation"),
                Arguments.of("name too long", "{\"name\":\"" + longName + "\",\"email\":\"b@c.io\"}", 400, "validation"),
                Arguments.of("email too long", "{\"name\":\"x\",\"email\":\"" + longEmail + "\"}", 400, "validation"),
                Arguments.of("email invalid", "{\"name\":\"x\",\"email\":\"not-an-email\"}", 400, "validation"),
                Arguments.of("control characters", "{\"name\":\"a\\u0000b\",\"email\":\"b@c.io\"}", 400, "validation"),
                Arguments.of("unknown field", "{\"name\":\"x\",\"email\":\"b@c.io\",\"admin\":true}", 400, "validation"),
                Arguments.of("huge number", "{\"name\":1e999999999,\"email\":\"b@c.io\"}", 400, "validation"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesAreProblemsAndChangeNothing(String name, String body, int status, String type) {
        int before = countAll();
        Answer answer = post("/api/users", body);
        assertThat(answer.status(), is(status));
        assertThat(answer.contentType(), is("application/problem+json"));
        assertThat(answer.problemType(), is(type));
        assertThat(answer.raw().body(), not(containsString("Exception")));
        assertThat(countAll(), is(before));
    }

    @Test
    void validationListsEveryFieldError() {
        Answer answer = post("/api/users", "{\"name\":\"\",\"email\":7,\"extra\":1}");
        assertThat(answer.json().getJsonArray("errors"), hasSize(3));
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] body = "{\"name\":\"\u00ff\",\"email\":\"u@v.io\"}".getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> response = raw("POST", "/api/users", "application/json", body);
        assertThat(response.statusCode(), is(400));
    }

    @Test
    void wrongContentTypeIs415() {
        assertThat(raw("POST", "/api/users", "text/plain", "{\"name\":\"x\",\"email\":\"b@c.io\"}".getBytes()).statusCode(), is(415));
        assertThat(raw("POST", "/api/users", "application/json; charset=iso-8859-1", "{}".getBytes()).statusCode(), is(415));
        assertThat(raw("POST", "/api/users", null, "{\"name\":\"x\",\"email\":\"b@c.io\"}".getBytes()).statusCode(), is(415));
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        int before = countAll();
        HttpCalls.RawResponse response = HttpCalls.oversizedPost(base, "/api/users");
        assertThat(response.status(), is(413));
        assertThat(response.contentType(), is("application/problem+json"));
        assertThat(response.body(), containsString("payload-too-large"));
        assertThat(countAll(), is(before));
    }

    @Test
    void sqlMetacharactersAreJustText() {
        String name = "Robert'); DROP TABLE users;--";
        String email = unique("o'brien+tag@example.com");
        Answer created = post("/api/users", "{\"name\":\"" + name + "\",\"email\":\"" + email + "\"}");
        assertThat(created.status(), is(201));
        assertThat(get(created.header("Location")).json().getString("name"), is(name));
        assertThat(get("/api/users?email=" + java.net.URLEncoder.encode("x' OR '1'='1", StandardCharsets.UTF_8)).status(), is(400));
        assertThat(get("/api/users?limit=1").status(), is(200));
    }

    // ---- observability and the contract document -----------------------------------------------------

    @Test
    void healthTellsTheTruthAndMetricsAreExposed() {
        assertThat(get("/observe/health/live").status(), is(200));
        Answer ready = get("/observe/health/ready");
        assertThat(ready.status(), is(200));
        assertThat(ready.raw().body(), containsString("database"));
        register("Metric", unique("metric@example.com"));
        HttpResponse<String> metrics = HttpCalls.send("GET", base + "/observe/metrics", null, "Accept", "text/plain");
        assertThat(metrics.statusCode(), is(200));
        assertThat(metrics.body(), containsString("meshshop_users_registered_total"));
        assertThat(metrics.body(), containsString("meshshop_http_server_requests_seconds_bucket"));
        assertThat(metrics.body(), containsString("route=\"/api/users/{id}\""));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyDocumentedRouteIsServed() {
        HttpResponse<String> doc = HttpCalls.send("GET", base + "/openapi", null, "Accept", "application/yaml");
        assertThat(doc.statusCode(), is(200));
        Map<String, Object> openapi = new Yaml().load(doc.body());
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) openapi.get("paths");
        assertThat(paths.isEmpty(), is(false));
        String id = register("Doc", unique("doc@example.com")).json().getString("id");
        Set<String> checked = new HashSet<>();
        paths.forEach((path, operations) -> operations.keySet().stream()
                .filter(method -> List.of("get", "post", "put", "delete", "patch").contains(method))
                .forEach(method -> {
            String concrete = path.replace("{id}", id);
            Answer answer = send(method.toUpperCase(), concrete, method.equals("get") || method.equals("delete")
                    ? null : "{\"name\":\"Doc\"}");
            assertThat(method + " " + path + " must be routed", answer.status(), not(isOneOf(404, 405)));
            checked.add(method + " " + path);
        }));
        assertThat(checked, hasSize(5));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private int countAll() {
        int count = 0;
        String next = null;
        do {
            JsonObject page = get("/api/users?limit=100" + (next == null ? "" : "&after=" + next)).json();
            count += page.getJsonArray("items").size();
            next = page.containsKey("next") ? page.getString("next") : null;
        } while (next != null);
        return count;
    }

    Answer register(String name, String email) {
        return post("/api/users", "{\"name\":\"" + name + "\",\"email\":\"" + email + "\"}");
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer post(String path, String json, String... headers) {
        return send("POST", path, json, headers);
    }

    Answer put(String path, String json) {
        return send("PUT", path, json);
    }

    Answer send(String method, String path, String json, String... headers) {
        return Answer.of(HttpCalls.send(method, base + path, json, headers));
    }

    private HttpResponse<String> raw(String method, String path, String contentType, byte[] body) {
        return HttpCalls.sendBytes(method, base + path, contentType, body);
    }

    static String unique(String email) {
        return UUID.randomUUID().toString().substring(0, 8) + "." + email;
    }
}
