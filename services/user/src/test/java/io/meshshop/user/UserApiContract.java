package io.meshshop.user;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.meshshop.common.testing.Answer;
import io.meshshop.common.testing.HttpCalls;
import io.meshshop.common.testing.OpenApiContract;
import io.meshshop.user.TestCustomers.Customer;
import io.meshshop.user.auth.SigningKeys;

import io.helidon.webserver.WebServer;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.meshshop.user.TestCustomers.PASSWORD;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * The user API as a client sees it, over real HTTP against the server as {@link Main} builds it. Run once
 * on H2 and once on PostgreSQL by the subclasses, each with its own signing key file (created at start) and
 * {@link TestCustomers#ADMIN_EMAIL} as the admin address.
 */
abstract class UserApiContract {

    private final String base;
    private final Path keyFile;

    UserApiContract(WebServer server, Path keyFile) {
        this.base = "http://localhost:" + server.port();
        this.keyFile = keyFile;
    }

    // ---- the happy paths --------------------------------------------------------------------------------

    @Test
    void registersTrimmedLowerCasedAndReadsBack() {
        String email = unique("Ada.Lovelace@Example.COM");
        Answer created = TestCustomers.register(base, "  Ada Lovelace ", "  " + email + " ", PASSWORD);
        assertThat(created.status(), is(201));
        JsonObject user = created.json();
        assertThat(user.getString("name"), is("Ada Lovelace"));
        assertThat(user.getString("email"), is(email.toLowerCase()));
        assertThat(created.header("Location"), is("/api/users/" + user.getString("id")));
        assertThat(user.getString("createdAt"), notNullValue());
        assertThat("the answer has no password or hash", user.keySet(), is(Set.of("id", "name", "email", "createdAt")));

        String token = TestCustomers.signIn(base, email.toUpperCase(), PASSWORD);
        Answer read = get(created.header("Location"), token);
        assertThat(read.status(), is(200));
        assertThat(read.json(), is(user));
        assertThat("/me is the same user", get("/api/users/me", token).json(), is(user));
    }

    @Test
    void emailIsUniqueCaseInsensitively() {
        String email = unique("grace@example.com");
        assertThat(TestCustomers.register(base, "Grace", email, PASSWORD).status(), is(201));
        Answer second = TestCustomers.register(base, "Grace Two", email.toUpperCase(), PASSWORD);
        assertThat(second.status(), is(409));
        assertThat(second.problemType(), is("email-taken"));
        assertThat(second.contentType(), is("application/problem+json"));
    }

    @Test
    void adminFindsByEmail() {
        String email = unique("find.me@example.com");
        String id = TestCustomers.register(base, "Find Me", email, PASSWORD).json().getString("id");
        Answer found = get("/api/users?email=" + email.toUpperCase(), admin());
        assertThat(found.status(), is(200));
        assertThat(found.json().getJsonArray("items"), hasSize(1));
        assertThat(found.json().getJsonArray("items").getJsonObject(0).getString("id"), is(id));
        assertThat(get("/api/users?email=" + unique("nobody@example.com"), admin()).json().getJsonArray("items"),
                hasSize(0));
    }

    @Test
    void adminPagesThroughEveryUserOnceInOrder() {
        for (int i = 0; i < 3; i++) {
            TestCustomers.register(base, "Pager " + i, unique("pager" + i + "@example.com"), PASSWORD);
        }
        List<String> seen = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            Answer page = get("/api/users?limit=2" + (next == null ? "" : "&after=" + next), admin());
            assertThat(page.status(), is(200));
            assertThat(page.json().getJsonArray("items").size() <= 2, is(true));
            page.json().getJsonArray("items").forEach(v -> seen.add(v.asJsonObject().getString("id")));
            next = page.json().containsKey("next") ? page.json().getString("next") : null;
            pages++;
        } while (next != null && pages < 1000);
        assertThat("no duplicates across pages", new HashSet<>(seen).size(), is(seen.size()));
        assertThat(seen.size() >= 3, is(true));
        assertThat(get("/api/users?limit=100", admin()).json().getJsonArray("items").size(),
                is(Math.min(100, seen.size())));
    }

    @Test
    void changesOwnNameAndEmail() {
        Customer ada = TestCustomers.signUp(base, "Old Name", unique("old@example.com"));
        String newEmail = unique("new@example.com");
        Answer changed = put("/api/users/" + ada.id(), "{\"name\":\"New Name\",\"email\":\"" + newEmail.toUpperCase()
                + "\"}", ada.token());
        assertThat(changed.status(), is(200));
        assertThat(changed.json().getString("name"), is("New Name"));
        assertThat(changed.json().getString("email"), is(newEmail));
        assertThat(get("/api/users/" + ada.id(), ada.token()).json().getString("name"), is("New Name"));

        Answer nameOnly = put("/api/users/me", "{\"name\":\"Newer\"}", ada.token());
        assertThat(nameOnly.json().getString("email"), is(newEmail));
        assertThat(nameOnly.json().getString("name"), is("Newer"));

        String taken = unique("taken@example.com");
        TestCustomers.register(base, "Holder", taken, PASSWORD);
        assertThat(put("/api/users/me", "{\"name\":\"X\",\"email\":\"" + taken + "\"}", ada.token()).status(), is(409));
        assertThat(put("/api/users/" + UUID.randomUUID(), "{\"name\":\"X\"}", ada.token()).status(), is(404));
        assertThat("the new address signs in", TestCustomers.attemptSignIn(base, newEmail, PASSWORD).status(), is(200));
    }

    @Test
    void deleteIsIdempotent() {
        Customer temp = TestCustomers.signUp(base, "Temp", unique("temp@example.com"));
        String location = "/api/users/" + temp.id();
        assertThat(send("DELETE", location, null, temp.bearer()).status(), is(204));
        assertThat(send("DELETE", location, null, temp.bearer()).status(), is(204));
        assertThat(send("DELETE", "/api/users/me", null, temp.bearer()).status(), is(204));
        assertThat(get(location, temp.token()).status(), is(404));
        assertThat(get("/api/users/me", temp.token()).status(), is(404));
        assertThat("a deleted user cannot sign in", TestCustomers.attemptSignIn(base, temp.email(), PASSWORD).status(),
                is(401));
    }

    @Test
    void everyWriteNeedsAnIdempotencyKeyAndWithoutOneChangesNothing() {
        Customer someone = TestCustomers.signUp(base);
        String email = unique("keyless@example.com");
        Answer register = sendWithoutKey("POST", "/api/users", "{\"name\":\"Keyless\",\"email\":\"" + email
                + "\",\"password\":\"" + PASSWORD + "\"}");
        Answer change = sendWithoutKey("PUT", "/api/users/me", "{\"name\":\"Changed\"}", someone.bearer());
        Answer delete = sendWithoutKey("DELETE", "/api/users/" + someone.id(), null, someone.bearer());
        for (Answer answer : List.of(register, change, delete)) {
            assertThat(answer.raw().request().method() + " " + answer.raw().body(), answer.status(), is(400));
            assertThat(answer.problemType(), is("idempotency-key-required"));
        }
        assertThat("not registered", TestCustomers.attemptSignIn(base, email, PASSWORD).status(), is(401));
        Answer me = get("/api/users/me", someone.token());
        assertThat("neither changed nor deleted", me.json().getString("name"), not("Changed"));
    }

    @Test
    void aDeletedCustomersChangeIsRefusedAndLeavesNoKeyBehind() {
        Customer temp = TestCustomers.signUp(base, "Gone", unique("gone@example.com"));
        assertThat(send("DELETE", "/api/users/me", null, temp.bearer()).status(), is(204));
        String key = UUID.randomUUID().toString();
        Answer first = send("PUT", "/api/users/me", "{\"name\":\"A\"}", "Authorization", "Bearer " + temp.token(),
                "Idempotency-Key", key);
        assertThat("the token still verifies, the customer is gone", first.status(), is(404));
        Answer other = send("PUT", "/api/users/me", "{\"name\":\"B\"}", "Authorization", "Bearer " + temp.token(),
                "Idempotency-Key", key);
        assertThat("not 422: the refusal did not claim the key (" + other.raw().body() + ")", other.status(), is(404));
    }

    @Test
    void unknownAndMalformedIdsAreProblems() {
        Customer someone = TestCustomers.signUp(base);
        Answer missing = get("/api/users/" + UUID.randomUUID(), someone.token());
        assertThat(missing.status(), is(404));
        assertThat(missing.problemType(), is("not-found"));
        for (String bad : List.of("abc", "1-2-3-4-5", "00000000-0000-0000-0000-00000000000g", "%27%20OR%201%3D1")) {
            Answer answer = get("/api/users/" + bad, someone.token());
            assertThat(bad, answer.status(), is(400));
            assertThat(answer.problemType(), is("validation"));
        }
    }

    @Test
    void badQueryValuesAreProblems() {
        for (String query : List.of("limit=0", "limit=101", "limit=abc", "limit=", "after=nonsense",
                "after=" + java.util.Base64.getUrlEncoder().encodeToString("x:y".getBytes()), "email=not-an-email")) {
            Answer answer = get("/api/users?" + query, admin());
            assertThat(query, answer.status(), is(400));
            assertThat(answer.contentType(), is("application/problem+json"));
        }
    }

    @Test
    void unknownRoutesAndMethodsAreProblems() {
        Answer patch = send("PATCH", "/api/users", "{}");
        assertThat(patch.status(), is(405));
        assertThat(patch.header("Allow"), is("GET, POST"));
        assertThat(send("PATCH", "/api/users/me", "{}").header("Allow"), is("GET, PUT, DELETE"));
        assertThat(send("GET", "/api/sessions", null).header("Allow"), is("POST"));
        assertThat(send("POST", "/.well-known/jwks.json", "{}").header("Allow"), is("GET"));
        Answer nowhere = get("/api/nowhere", null);
        assertThat(nowhere.status(), is(404));
        assertThat(nowhere.contentType(), is("application/problem+json"));
    }

    // ---- sign-in and tokens -------------------------------------------------------------------------

    @Test
    void signInIssuesATokenAsTheContractSaysAndTheJwksPublishesItsKey() throws Exception {
        String email = unique("token@example.com");
        String id = TestCustomers.register(base, "Token", email, PASSWORD).json().getString("id");
        Answer session = TestCustomers.attemptSignIn(base, " " + email.toUpperCase() + " ", PASSWORD);
        assertThat(session.status(), is(200));
        assertThat(session.json().keySet(), is(Set.of("accessToken", "tokenType", "expiresIn")));
        assertThat(session.json().getString("tokenType"), is("Bearer"));
        assertThat(session.json().getInt("expiresIn"), is(900));
        assertThat("tokens are not cached", session.header("Cache-Control"), is("no-store"));

        SignedJWT token = SignedJWT.parse(session.json().getString("accessToken"));
        assertThat(token.getHeader().getAlgorithm(), is(JWSAlgorithm.ES256));
        assertThat(token.getHeader().getType(), is(new JOSEObjectType("at+jwt")));
        JWTClaimsSet claims = token.getJWTClaimsSet();
        assertThat(claims.getSubject(), is(id));
        assertThat(claims.getIssuer(), is("https://meshshop.dev/auth"));
        assertThat(claims.getAudience(), is(List.of("meshshop")));
        assertThat(claims.getStringClaim("scope"), is("customer"));
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime(), is(900_000L));
        assertThat(claims.getNotBeforeTime(), is(claims.getIssueTime()));
        assertThat(claims.getJWTID(), notNullValue());

        Answer jwks = get("/.well-known/jwks.json", null);
        assertThat(jwks.status(), is(200));
        assertThat(jwks.header("Cache-Control"), is("public, max-age=300"));
        JWKSet published = JWKSet.parse(jwks.raw().body());
        assertThat("the signing key is published", published.getKeyByKeyId(token.getHeader().getKeyID()), notNullValue());
        assertThat("public parts only", published.getKeys().stream().anyMatch(k -> k.isPrivate()), is(false));
        assertThat(jwks.raw().body(), not(containsString("\"d\"")));
        assertThat("the published key verifies the token", token.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(
                published.getKeyByKeyId(token.getHeader().getKeyID()).toECKey())), is(true));

        assertThat("the admin address gets the admin scope", SignedJWT.parse(admin()).getJWTClaimsSet()
                .getStringClaim("scope"), is("customer admin"));
    }

    @Test
    void wrongPasswordAndUnknownEmailAreOneAnswerInAboutTheSameTime() {
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            emails.add(TestCustomers.signUp(base).email());
        }
        List<Long> wrong = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        Answer wrongAnswer = null;
        Answer unknownAnswer = null;
        // Four wrong passwords per address stay under the throttle; the two kinds alternate so that load on
        // the machine falls on both alike.
        for (int i = 0; i < 8; i++) {
            long start = System.nanoTime();
            wrongAnswer = TestCustomers.attemptSignIn(base, emails.get(i % 2), PASSWORD + " but wrong");
            wrong.add(System.nanoTime() - start);
            start = System.nanoTime();
            unknownAnswer = TestCustomers.attemptSignIn(base, unique("nobody@example.com"), PASSWORD);
            unknown.add(System.nanoTime() - start);
            assertThat(wrongAnswer.status(), is(401));
            assertThat(unknownAnswer.status(), is(401));
        }
        assertThat(wrongAnswer.problemType(), is("invalid-credentials"));
        assertThat("the same body, byte for byte", unknownAnswer.raw().body(), is(wrongAnswer.raw().body()));
        assertThat("the same headers", unknownAnswer.raw().headers().map().keySet(),
                is(wrongAnswer.raw().headers().map().keySet()));
        long wrongMedian = median(wrong);
        long unknownMedian = median(unknown);
        System.out.printf("Sign-in 401 timing on %s: wrong password median %.1f ms %s, unknown e-mail median %.1f ms %s%n",
                getClass().getSimpleName(), wrongMedian / 1e6, millis(wrong), unknownMedian / 1e6, millis(unknown));
        // Both are one Argon2id check and the same statements. Skipping the check for unknown addresses would
        // make them several times faster; a factor of 2 leaves room for a busy machine.
        double ratio = (double) Math.max(wrongMedian, unknownMedian) / Math.min(wrongMedian, unknownMedian);
        assertThat("medians within a factor of 2: " + ratio, ratio < 2.0, is(true));
    }

    @Test
    void failuresPerEmailAreThrottledUntilTheWindowEndsAndASuccessClearsThem() {
        Customer ada = TestCustomers.signUp(base);
        for (int i = 1; i <= 4; i++) {
            assertThat("failure " + i, TestCustomers.attemptSignIn(base, ada.email(), "wrong " + i).status(), is(401));
        }
        assertThat("a success clears the failures", TestCustomers.attemptSignIn(base, ada.email(), PASSWORD).status(),
                is(200));
        for (int i = 1; i <= 5; i++) {
            assertThat("failure " + i + " after the success", TestCustomers.attemptSignIn(base, ada.email(),
                    "wrong " + i).status(), is(401));
        }
        Answer throttled = TestCustomers.attemptSignIn(base, ada.email(), PASSWORD);
        assertThat("even the right password, after five failures", throttled.status(), is(429));
        assertThat(throttled.problemType(), is("too-many-sign-in-attempts"));
        int retryAfter = Integer.parseInt(throttled.header("Retry-After"));
        assertThat("until the 15-minute window ends", retryAfter, greaterThanOrEqualTo(1));
        assertThat(retryAfter, lessThanOrEqualTo(900));
        assertThat("other addresses are not affected", TestCustomers.attemptSignIn(base, unique("x@example.com"),
                PASSWORD).status(), is(401));

        String nobody = unique("nobody@example.com");
        for (int i = 1; i <= 5; i++) {
            assertThat(TestCustomers.attemptSignIn(base, nobody, "guess " + i).status(), is(401));
        }
        Answer unknownThrottled = TestCustomers.attemptSignIn(base, nobody, "guess 6");
        assertThat("unknown addresses are throttled the same way", unknownThrottled.status(), is(429));
        assertThat(unknownThrottled.raw().body(), is(throttled.raw().body()));

        String metrics = HttpCalls.send("GET", base + "/observe/metrics", null, "Accept", "text/plain").body();
        for (String outcome : List.of("success", "invalid_credentials", "throttled")) {
            assertThat(metrics, containsString("meshshop_sign_ins_total{outcome=\"" + outcome + "\""));
        }
        assertThat("no e-mail address in the metrics", metrics, not(containsString("@example.com")));
    }

    @Test
    void signInBadInputIs400() {
        for (String body : List.of("{}", "{\"email\":\"nope\",\"password\":\"x\"}", "{\"email\":\"a@b.io\"}",
                "{\"email\":\"a@b.io\",\"password\":\"" + "p".repeat(257) + "\"}",
                "{\"email\":\"a@b.io\",\"password\":\"long enough password\",\"remember\":true}",
                "{\"email\":\"a@b.io\",\"password\":42}")) {
            Answer answer = send("POST", "/api/sessions", body);
            assertThat(body, answer.status(), is(400));
            assertThat(answer.problemType(), is("validation"));
        }
        assertThat(send("POST", "/api/sessions", "{\"email\":").problemType(), is("malformed-json"));
    }

    @Test
    void registrationRefusesWeakPasswordsListingEveryBadField() {
        String email = unique("weak@example.com");
        Map<String, String> refused = Map.of(
                "too short (14)", "fourteen chars",
                "too long (257)", "p".repeat(257),
                "common", "passwordpassword",
                "one repeated character", "zzzzzzzzzzzzzzzzzzzz",
                "the e-mail address", email);
        refused.forEach((why, password) -> {
            Answer answer = TestCustomers.register(base, "Weak", email, password);
            assertThat(why, answer.status(), is(400));
            assertThat(why, answer.problemType(), is("validation"));
            assertThat(why, answer.json().getJsonArray("errors").getJsonObject(0).getString("field"), is("password"));
            assertThat(why + ": the problem never repeats the password", answer.raw().body(),
                    not(containsString(password)));
        });
        Answer all = send("POST", "/api/users", "{\"name\":\"\",\"email\":\"nope\",\"password\":\"short\"}");
        assertThat(all.json().getJsonArray("errors"), hasSize(3));
        assertThat(send("POST", "/api/users", "{\"name\":\"No Password\",\"email\":\"" + email + "\"}").json()
                .getJsonArray("errors").getJsonObject(0).getString("field"), is("password"));
        assertThat("nothing was registered", get("/api/users?email=" + email, admin()).json().getJsonArray("items"),
                hasSize(0));
        // 15 code points after NFKC, any characters: accepted.
        assertThat(TestCustomers.register(base, "Emoji", email, "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😃").status(), is(201));
        assertThat(TestCustomers.attemptSignIn(base, email, "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😃").status(), is(200));
    }

    // ---- who may do what ----------------------------------------------------------------------------

    @Test
    void customersCannotReadChangeOrDeleteEachOther() {
        Customer ada = TestCustomers.signUp(base);
        Customer eve = TestCustomers.signUp(base);
        String unknownId = UUID.randomUUID().toString();
        for (String method : List.of("GET", "PUT", "DELETE")) {
            String body = method.equals("PUT") ? "{\"name\":\"Eve was here\"}" : null;
            Answer other = send(method, "/api/users/" + ada.id(), body, eve.bearer());
            Answer unknown = send(method, "/api/users/" + unknownId, body, eve.bearer());
            assertThat(method + " someone else's id", other.status(), is(404));
            assertThat(method + " exactly like an unknown id", other.raw().body().replace(ada.id(), "ID"),
                    is(unknown.raw().body().replace(unknownId, "ID")));
        }
        Answer untouched = get("/api/users/me", ada.token());
        assertThat(untouched.status(), is(200));
        assertThat(untouched.json().getString("name"), is("Customer"));
    }

    @Test
    void userRoutesNeedABearerTokenAndRegistrationDoesNot() {
        String id = UUID.randomUUID().toString();
        for (String[] route : List.of(new String[] {"GET", "/api/users/me"}, new String[] {"PUT", "/api/users/me"},
                new String[] {"DELETE", "/api/users/me"}, new String[] {"GET", "/api/users/" + id},
                new String[] {"PUT", "/api/users/" + id}, new String[] {"DELETE", "/api/users/" + id},
                new String[] {"GET", "/api/users"}, new String[] {"GET", "/api/users?email=a@b.io"})) {
            Answer answer = send(route[0], route[1], route[0].equals("PUT") ? "{\"name\":\"x\"}" : null);
            assertThat(route[0] + " " + route[1], answer.status(), is(401));
            assertThat(answer.problemType(), is("unauthenticated"));
            assertThat(answer.header("WWW-Authenticate"), startsWith("Bearer realm=\"meshshop\""));
        }
        assertThat(send("GET", "/api/users/me", null, "Authorization", "Basic YTpi").status(), is(401));
        assertThat(TestCustomers.register(base, "Open", unique("open@example.com"), PASSWORD).status(), is(201));
    }

    @Test
    void listingAndFindingByEmailNeedTheAdminScope() {
        Customer customer = TestCustomers.signUp(base);
        for (String query : List.of("", "?email=" + customer.email(), "?limit=5")) {
            Answer forbidden = get("/api/users" + query, customer.token());
            assertThat("customer token, /api/users" + query, forbidden.status(), is(403));
            assertThat(forbidden.problemType(), is("forbidden"));
            assertThat(forbidden.header("WWW-Authenticate"), containsString("insufficient_scope"));
            assertThat("admin token, /api/users" + query, get("/api/users" + query, admin()).status(), is(200));
        }
    }

    @Test
    void forgedTokensAre401() throws Exception {
        Customer ada = TestCustomers.signUp(base);
        JWKSet keys = SigningKeys.load(keyFile);
        ECKey serverKey = SigningKeys.signingKey(keys);
        Instant now = Instant.now();
        JWTClaimsSet valid = validClaims(ada.id(), now).build();
        assertThat("the honest token of these claims works", get("/api/users/me",
                sign(serverKey, serverKey.getKeyID(), valid)).status(), is(200));

        Map<String, String> forged = Map.of(
                "alg none", new PlainJWT(new PlainHeader.Builder().type(new JOSEObjectType("at+jwt")).build(), valid)
                        .serialize(),
                "HS256 with the public key as the secret", hs256WithPublicKey(serverKey, valid),
                "a key not in the JWKS, with the server's kid", sign(SigningKeys.newKey(), serverKey.getKeyID(), valid),
                "expired", sign(serverKey, serverKey.getKeyID(), validClaims(ada.id(), now.minusSeconds(3600))
                        .expirationTime(Date.from(now.minusSeconds(1800))).build()),
                "another audience", sign(serverKey, serverKey.getKeyID(), validClaims(ada.id(), now)
                        .audience("someone-else").build()));
        forged.forEach((what, token) -> {
            Answer answer = get("/api/users/me", token);
            assertThat(what, answer.status(), is(401));
            assertThat(what, answer.problemType(), is("unauthenticated"));
            assertThat(what, answer.header("WWW-Authenticate"), containsString("invalid_token"));
        });
    }

    // ---- idempotency --------------------------------------------------------------------------------

    @Test
    void sameKeySameRequestReplaysTheFirstAnswer() {
        String key = UUID.randomUUID().toString();
        String email = unique("once@example.com");
        Answer first = TestCustomers.register(base, "Once", email, PASSWORD, "Idempotency-Key", key);
        Answer again = TestCustomers.register(base, "Once", email, PASSWORD, "Idempotency-Key", key);
        Answer quoted = TestCustomers.register(base, "Once", email, PASSWORD, "Idempotency-Key", "\"" + key + "\"");
        // The fingerprint leaves the password out (it would otherwise be kept as a fast hash): a repeat with
        // another password is the same registration, and the first password stays.
        Answer otherPassword = TestCustomers.register(base, "Once", email, "another password, long enough",
                "Idempotency-Key", key);
        assertThat(first.status(), is(201));
        assertThat(first.header("Idempotent-Replayed"), nullValue());
        for (Answer replay : List.of(again, quoted, otherPassword)) {
            assertThat(replay.status(), is(201));
            assertThat(replay.raw().body(), is(first.raw().body()));
            assertThat(replay.header("Location"), is(first.header("Location")));
            assertThat(replay.header("Idempotent-Replayed"), is("true"));
        }
        assertThat("the first password stays", TestCustomers.attemptSignIn(base, email, PASSWORD).status(), is(200));
    }

    @Test
    void sameKeyOtherRequestIs422AndChangesNothing() {
        String key = UUID.randomUUID().toString();
        TestCustomers.register(base, "First", unique("first@example.com"), PASSWORD, "Idempotency-Key", key);
        String other = unique("other@example.com");
        Answer reused = TestCustomers.register(base, "Other", other, PASSWORD, "Idempotency-Key", key);
        assertThat(reused.status(), is(422));
        assertThat(reused.problemType(), is("idempotency-key-reused"));
        assertThat(get("/api/users?email=" + other, admin()).json().getJsonArray("items"), hasSize(0));
    }

    @Test
    void aConflictIsStoredAndReplayedToo() {
        String email = unique("conflict@example.com");
        TestCustomers.register(base, "Holder", email, PASSWORD);
        String key = UUID.randomUUID().toString();
        Answer first = TestCustomers.register(base, "Late", email, PASSWORD, "Idempotency-Key", key);
        Answer again = TestCustomers.register(base, "Late", email, PASSWORD, "Idempotency-Key", key);
        assertThat(first.status(), is(409));
        assertThat(again.status(), is(409));
        assertThat(again.header("Idempotent-Replayed"), is("true"));
    }

    @Test
    void malformedIdempotencyKeysAreRejected() {
        String tooLong = "k".repeat(256);
        for (String key : List.of("", "\"\"", tooLong, "\"unterminated", "has space", "\"bad\\escape\"")) {
            String email = unique("key@example.com");
            Answer answer = TestCustomers.register(base, "K", email, PASSWORD, "Idempotency-Key", key);
            assertThat("key <" + key + ">", answer.status(), is(400));
            assertThat(answer.problemType(), is("invalid-idempotency-key"));
            assertThat(get("/api/users?email=" + email, admin()).json().getJsonArray("items"), hasSize(0));
        }
        assertThat(TestCustomers.register(base, "K", unique("k255@example.com"), PASSWORD, "Idempotency-Key",
                "k".repeat(255)).status(), is(201));
    }

    @Test
    void concurrentDuplicatesHaveExactlyOneEffect() {
        String key = UUID.randomUUID().toString();
        String email = unique("storm@example.com");
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(() -> TestCustomers.register(base, "Storm", email, PASSWORD, "Idempotency-Key", key).status());
        }
        List<Integer> statuses = HttpCalls.concurrently(calls);
        assertThat(statuses, everyItem(isOneOf(201, 409)));
        assertThat(statuses.contains(201), is(true));
        assertThat(get("/api/users?email=" + email, admin()).json().getJsonArray("items"), hasSize(1));
    }

    @Test
    void idempotencyKeysAreScopedPerCaller() {
        Customer ada = TestCustomers.signUp(base);
        Customer bob = TestCustomers.signUp(base);
        String key = "same-key-" + UUID.randomUUID();
        Answer adas = send("PUT", "/api/users/me", "{\"name\":\"Ada\"}", "Authorization", "Bearer " + ada.token(),
                "Idempotency-Key", key);
        Answer bobs = send("PUT", "/api/users/me", "{\"name\":\"Bob\"}", "Authorization", "Bearer " + bob.token(),
                "Idempotency-Key", key);
        assertThat(adas.status(), is(200));
        assertThat("not a 422 for another body: Bob's key is his own", bobs.status(), is(200));
        assertThat(bobs.header("Idempotent-Replayed"), nullValue());
        assertThat(bobs.json().getString("id"), is(bob.id()));
        assertThat(get("/api/users/me", ada.token()).json().getString("name"), is("Ada"));
        assertThat(get("/api/users/me", bob.token()).json().getString("name"), is("Bob"));
        Answer adaAgain = send("PUT", "/api/users/me", "{\"name\":\"Ada\"}", "Authorization", "Bearer " + ada.token(),
                "Idempotency-Key", key);
        assertThat("Ada's repeat replays her own answer", adaAgain.header("Idempotent-Replayed"), is("true"));
        assertThat(adaAgain.raw().body(), is(adas.raw().body()));
    }

    // ---- bad input ----------------------------------------------------------------------------------

    static Stream<Arguments> badBodies() {
        String longName = "n".repeat(201);
        String longEmail = "a".repeat(250) + "@x.io";
        String password = ",\"password\":\"" + PASSWORD + "\"";
        return Stream.of(
                Arguments.of("malformed JSON", "{\"name\":", 400, "malformed-json"),
                Arguments.of("not an object", "[1,2]", 400, "malformed-json"),
                Arguments.of("empty body", "", 400, "malformed-json"),
                Arguments.of("duplicate keys", "{\"name\":\"a\",\"name\":\"b\",\"email\":\"d@e.io\"" + password + "}", 400,
                        "malformed-json"),
                Arguments.of("deep nesting", "{\"name\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, "malformed-json"),
                Arguments.of("wrong types", "{\"name\":42,\"email\":true,\"password\":[]}", 400, "validation"),
                Arguments.of("null fields", "{\"name\":null,\"email\":null,\"password\":null}", 400, "validation"),
                Arguments.of("missing fields", "{}", 400, "validation"),
                Arguments.of("blank name", "{\"name\":\"   \",\"email\":\"b@c.io\"" + password + "}", 400, "validation"),
                Arguments.of("name too long", "{\"name\":\"" + longName + "\",\"email\":\"b@c.io\"" + password + "}", 400,
                        "validation"),
                Arguments.of("email too long", "{\"name\":\"x\",\"email\":\"" + longEmail + "\"" + password + "}", 400,
                        "validation"),
                Arguments.of("email invalid", "{\"name\":\"x\",\"email\":\"not-an-email\"" + password + "}", 400,
                        "validation"),
                Arguments.of("control characters", "{\"name\":\"a\\u0000b\",\"email\":\"b@c.io\"" + password + "}", 400,
                        "validation"),
                Arguments.of("control characters in the password",
                        "{\"name\":\"a\",\"email\":\"b@c.io\",\"password\":\"long enough\\npassword\"}", 400, "validation"),
                Arguments.of("unknown field", "{\"name\":\"x\",\"email\":\"b@c.io\"" + password + ",\"admin\":true}", 400,
                        "validation"),
                Arguments.of("huge number", "{\"name\":1e999999999,\"email\":\"b@c.io\"" + password + "}", 400,
                        "validation"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesAreProblemsAndChangeNothing(String name, String body, int status, String type) {
        int before = countAll();
        Answer answer = send("POST", "/api/users", body);
        assertThat(answer.status(), is(status));
        assertThat(answer.contentType(), is("application/problem+json"));
        assertThat(answer.problemType(), is(type));
        assertThat(answer.raw().body(), not(containsString("Exception")));
        assertThat(countAll(), is(before));
    }

    @Test
    void validationListsEveryFieldError() {
        Answer answer = send("POST", "/api/users", "{\"name\":\"\",\"email\":7,\"extra\":1}");
        assertThat("name, email, password and extra", answer.json().getJsonArray("errors"), hasSize(4));
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] body = ("{\"name\":\"\u00ff\",\"email\":\"u@v.io\",\"password\":\"" + PASSWORD + "\"}")
                .getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> response = raw("POST", "/api/users", "application/json", body);
        assertThat(response.statusCode(), is(400));
    }

    @Test
    void wrongContentTypeIs415() {
        byte[] body = ("{\"name\":\"x\",\"email\":\"b@c.io\",\"password\":\"" + PASSWORD + "\"}").getBytes();
        assertThat(raw("POST", "/api/users", "text/plain", body).statusCode(), is(415));
        assertThat(raw("POST", "/api/users", "application/json; charset=iso-8859-1", "{}".getBytes()).statusCode(), is(415));
        assertThat(raw("POST", "/api/users", null, body).statusCode(), is(415));
        assertThat(raw("POST", "/api/sessions", "text/plain", "{}".getBytes()).statusCode(), is(415));
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        int before = countAll();
        HttpCalls.RawResponse response = HttpCalls.oversizedPost(base, "/api/users");
        assertThat(response.status(), is(413));
        assertThat(response.contentType(), is("application/problem+json"));
        assertThat(response.body(), containsString("payload-too-large"));
        assertThat(countAll(), is(before));
        assertThat(HttpCalls.oversizedPost(base, "/api/sessions").status(), is(413));
    }

    @Test
    void sqlMetacharactersAreJustText() {
        String name = "Robert'); DROP TABLE users;--";
        String email = unique("o'brien+tag@example.com");
        Customer robert = TestCustomers.signUp(base, name, email);
        assertThat(get("/api/users/me", robert.token()).json().getString("name"), is(name));
        assertThat(TestCustomers.attemptSignIn(base, "x' OR '1'='1@example.com", "' OR '1'='1' --  ").status(),
                isOneOf(400, 401));
        assertThat(get("/api/users?email=" + java.net.URLEncoder.encode("x' OR '1'='1", StandardCharsets.UTF_8),
                admin()).status(), is(400));
        assertThat(get("/api/users?limit=1", admin()).status(), is(200));
    }

    // ---- observability and the contract document -----------------------------------------------------

    @Test
    void healthTellsTheTruthAndMetricsAreExposed() {
        assertThat(get("/observe/health/live", null).status(), is(200));
        Answer ready = get("/observe/health/ready", null);
        assertThat(ready.status(), is(200));
        assertThat(ready.raw().body(), containsString("database"));
        Customer metric = TestCustomers.signUp(base);
        get("/api/users/" + metric.id(), metric.token());
        HttpResponse<String> metrics = HttpCalls.send("GET", base + "/observe/metrics", null, "Accept", "text/plain");
        assertThat(metrics.statusCode(), is(200));
        assertThat(metrics.body(), containsString("meshshop_users_registered_total"));
        assertThat(metrics.body(), containsString("meshshop_sign_ins_total{outcome=\"success\""));
        assertThat(metrics.body(), containsString("meshshop_http_server_requests_seconds_bucket"));
        assertThat(metrics.body(), containsString("route=\"/api/users/{id}\""));
    }

    /**
     * Calls every operation the OpenAPI document names as a client would, with the admin's token for the
     * admin-only list and a customer of its own for each DELETE (so that it takes no user away from the next
     * operation): each must answer a success the document lists.
     */
    @Test
    void everyDocumentedOperationAnswersAsDocumented() {
        Customer shared = TestCustomers.signUp(base);
        OpenApiContract.assertEveryOperationSucceedsAsDocumented(base,
                Set.of("registerUser", "listUsers", "getMe", "changeMe", "deleteMe", "getUser", "changeUser",
                        "deleteUser", "signIn", "getJwks"),
                operation -> {
                    Customer caller = operation.operationId().equals("listUsers") ? TestCustomers.admin(base, keyFile)
                            : operation.method().equals("DELETE") ? TestCustomers.signUp(base) : shared;
                    String path = operation.path(Map.of("id", caller.id() == null ? "" : caller.id()));
                    String body = switch (operation.operationId()) {
                        case "registerUser" -> "{\"name\":\"Doc\",\"email\":\"" + unique("doc@example.com")
                                + "\",\"password\":\"" + PASSWORD + "\"}";
                        case "signIn" -> "{\"email\":\"" + caller.email() + "\",\"password\":\"" + PASSWORD + "\"}";
                        case "changeMe", "changeUser" -> "{\"name\":\"Doc\"}";
                        default -> null;
                    };
                    return send(operation.method(), path, body, caller.bearer());
                });
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private String admin() {
        return TestCustomers.admin(base, keyFile).token();
    }

    private int countAll() {
        int count = 0;
        String next = null;
        do {
            JsonObject page = get("/api/users?limit=100" + (next == null ? "" : "&after=" + next), admin()).json();
            count += page.getJsonArray("items").size();
            next = page.containsKey("next") ? page.getString("next") : null;
        } while (next != null);
        return count;
    }

    private static JWTClaimsSet.Builder validClaims(String userId, Instant issuedAt) {
        return new JWTClaimsSet.Builder()
                .issuer("https://meshshop.dev/auth")
                .audience("meshshop")
                .subject(userId)
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(issuedAt.plus(Duration.ofMinutes(15))))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", "customer admin");
    }

    private static String sign(ECKey key, String kid, JWTClaimsSet claims) {
        try {
            SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid)
                    .type(new JOSEObjectType("at+jwt")).build(), claims);
            token.sign(new ECDSASigner(key));
            return token.serialize();
        } catch (Exception e) {
            throw new AssertionError("could not sign a test token", e);
        }
    }

    /** The classic confusion attack: HMAC keyed with the verifier's public key, which anyone can fetch. */
    private static String hs256WithPublicKey(ECKey key, JWTClaimsSet claims) {
        try {
            SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID())
                    .type(new JOSEObjectType("at+jwt")).build(), claims);
            token.sign(new MACSigner(key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
            return token.serialize();
        } catch (Exception e) {
            throw new AssertionError("could not sign a test token", e);
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String millis(List<Long> nanos) {
        return nanos.stream().map(n -> String.format("%.0f", n / 1e6)).toList().toString();
    }

    Answer get(String path, String token) {
        return token == null ? send("GET", path, null) : send("GET", path, null, "Authorization", "Bearer " + token);
    }

    Answer put(String path, String json, String token) {
        return send("PUT", path, json, "Authorization", "Bearer " + token);
    }

    /** Every write carries a fresh Idempotency-Key (required on user's writes) unless the test sends its own. */
    Answer send(String method, String path, String json, String... headers) {
        return Answer.of(HttpCalls.send(method, base + path, json, TestCustomers.withKey(method, headers)));
    }

    /** Without the key a write would need: to check that it is required. */
    Answer sendWithoutKey(String method, String path, String json, String... headers) {
        return Answer.of(HttpCalls.send(method, base + path, json, headers));
    }

    private HttpResponse<String> raw(String method, String path, String contentType, byte[] body) {
        return HttpCalls.sendBytes(method, base + path, contentType, body,
                TestCustomers.withKey(method));
    }

    static String unique(String email) {
        return UUID.randomUUID().toString().substring(0, 8) + "." + email;
    }
}
