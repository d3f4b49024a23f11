package io.meshshop.common.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.testing.Await;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Forged and broken tokens, each of which must be refused with 401 (and nothing else), and the JWKS fetched
 * over real HTTP: cached, fetched again for a rotated key, and a 503 (not a 401) when it cannot be fetched.
 */
class BearerTokensTest {

    private static final String ISSUER = "https://meshshop.dev/auth";
    private static final String AUDIENCE = "meshshop";
    private static final UUID USER = UUID.fromString("7a0c8f7e-3f0a-4d8e-9d43-0a6b8d3c1e11");

    private static ECKey key;
    private static ECKey otherKey;
    private static BearerTokens tokens;

    @BeforeAll
    static void keys() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        otherKey = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        tokens = BearerTokens.withKeys(auth(Map.of()), new JWKSet(key));
    }

    @Test
    void acceptsAValidToken() throws Exception {
        Caller caller = tokens.verify(sign(key, claims().build()));
        assertThat("subject", caller.userId(), is(USER));
        assertThat("scope customer", caller.has(Caller.CUSTOMER), is(true));
        assertThat("no admin scope", caller.has(Caller.ADMIN), is(false));
    }

    @Test
    void refusesAlgNone() {
        refused(new PlainJWT(claims().build()).serialize());
    }

    @Test
    void refusesHs256SignedWithThePublicKeyAsSecret() throws Exception {
        byte[] publicKey = key.toECPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(header(JWSAlgorithm.HS256, "k1").build(), claims().build());
        jwt.sign(new MACSigner(publicKey));
        refused(jwt.serialize());
    }

    @Test
    void refusesAKeyNotInTheJwksUnderAKnownKid() throws Exception {
        ECKey impostor = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        refused(sign(impostor, claims().build()));
    }

    @Test
    void refusesAnUnknownKid() throws Exception {
        refused(sign(otherKey, claims().build()));
    }

    @Test
    void refusesAnotherAlgorithmEvenWithAPublishedKey() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
        BearerTokens withRsa = BearerTokens.withKeys(auth(Map.of()), new JWKSet(List.of(key, rsa)));
        SignedJWT jwt = new SignedJWT(header(JWSAlgorithm.RS256, "r1").build(), claims().build());
        jwt.sign(new RSASSASigner(rsa));
        assertThrows401(() -> withRsa.verify(jwt.serialize()));
    }

    @Test
    void anotherProvidersAlgorithmAndTypeAreAcceptedOnlyWhenConfigured() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
        BearerTokens keycloakLike = BearerTokens.withKeys(auth(Map.of("algorithms.0", "RS256", "token-type", "JWT")),
                new JWKSet(rsa));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("r1").type(JOSEObjectType.JWT)
                .build(), claims().build());
        jwt.sign(new RSASSASigner(rsa));
        assertThat(keycloakLike.verify(jwt.serialize()).userId(), is(USER));
        assertThrows(IllegalStateException.class,
                () -> BearerTokens.withKeys(auth(Map.of("algorithms.0", "HS256")), new JWKSet(key)),
                "an HMAC algorithm must never be allowed");
    }

    @Test
    void refusesWrongIssuerOrAudience() throws Exception {
        refused(sign(key, claims().issuer("https://evil.example/auth").build()));
        refused(sign(key, claims().audience("someone-else").build()));
    }

    @Test
    void refusesExpiredTokensBeyondTheSkew() throws Exception {
        Instant now = Instant.now();
        refused(sign(key, claims().issueTime(Date.from(now.minusSeconds(1000)))
                .expirationTime(Date.from(now.minusSeconds(60))).build()));
        // Within the 30 s clock skew an expired token still passes: clocks of pods differ a little.
        tokens.verify(sign(key, claims().expirationTime(Date.from(now.minusSeconds(5))).build()));
    }

    @Test
    void aRememberedTokenStillExpiresOnTime() throws Exception {
        BearerTokens noSkew = BearerTokens.withKeys(auth(Map.of("clock-skew", "PT0S")), new JWKSet(key));
        Instant expiry = Instant.now().plusSeconds(1);
        String token = sign(key, claims().expirationTime(Date.from(expiry)).build());
        assertThat(noSkew.verify(token).userId(), is(USER));
        assertThat("remembered", noSkew.verify(token).userId(), is(USER));
        Await.until("the clock to pass the token's expiry", Duration.ofSeconds(10),
                () -> Instant.now().isAfter(expiry.plusMillis(1000)));
        assertThrows401(() -> noSkew.verify(token));
    }

    @Test
    void refusesNotBeforeInTheFuture() throws Exception {
        refused(sign(key, claims().notBeforeTime(Date.from(Instant.now().plusSeconds(300))).build()));
    }

    @Test
    void refusesMissingRequiredClaims() throws Exception {
        refused(sign(key, claims().jwtID(null).build()));
        refused(sign(key, claims().subject(null).build()));
        refused(sign(key, claims().expirationTime(null).build()));
        refused(sign(key, claims().issueTime(null).build()));
        refused(sign(key, claims().subject("not-a-uuid").build()));
    }

    @Test
    void refusesAnotherTokenType() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").type(JOSEObjectType.JWT)
                .build(), claims().build());
        jwt.sign(new ECDSASigner(key));
        refused(jwt.serialize());
    }

    @Test
    void refusesAChangedPayloadOrSignature() throws Exception {
        String token = sign(key, claims().build());
        String[] parts = token.split("\\.");
        String admin = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims().claim("scope", "customer admin").build().toString().getBytes(StandardCharsets.UTF_8));
        refused(parts[0] + "." + admin + "." + parts[2]);
        char last = parts[2].charAt(10);
        String signature = parts[2].substring(0, 10) + (last == 'A' ? 'B' : 'A') + parts[2].substring(11);
        refused(parts[0] + "." + parts[1] + "." + signature);
        refused(parts[0] + "." + parts[1] + ".");
    }

    @Test
    void refusesAValidTokenInAnyOtherSpelling() throws Exception {
        String token = sign(key, claims().build());
        tokens.verify(token);
        for (String junk : List.of("!", "*", "==", "=", " x", ".", "\u00ff", "%")) {
            refused(token + junk);
        }
        String[] parts = token.split("\\.");
        refused(parts[0] + "." + parts[1] + ".." + parts[2]);
        // 64 signature bytes take 86 base64url characters whose last carries 2 spare bits: the same bytes
        // spelt with other spare bits must not verify as the same token.
        char last = parts[2].charAt(parts[2].length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char sameBytes = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        refused(parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 1) + sameBytes);
    }

    @Test
    void unknownKeysAreRefusedNot503EvenWhenTheKeysWereJustFetched() throws Exception {
        WebServer issuer = WebServer.builder().port(0)
                .routing(r -> r.get("/.well-known/jwks.json", (req, res) -> {
                    res.headers().contentType(io.helidon.common.media.type.MediaTypes.APPLICATION_JSON);
                    res.send(new JWKSet(key).toPublicJWKSet().toString());
                }))
                .build().start();
        try {
            BearerTokens remote = BearerTokens.withJwksUrl(auth(Map.of("jwks.url",
                    "http://localhost:" + issuer.port() + "/.well-known/jwks.json")));
            remote.verify(sign(key, claims().build()));
            for (int i = 0; i < 5; i++) {
                ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("stranger-" + i).generate();
                ProblemException e = assertThrows(ProblemException.class, () -> remote.verify(sign(stranger, claims().build())));
                assertThat("a forged key id, try " + i, e.problem().status(), is(401));
            }
        } finally {
            issuer.stop();
        }
    }

    @Test
    void refusesGarbageAndOversizedTokens() {
        refused("");
        refused("garbage");
        refused("a.b.c");
        refused("....");
        refused("eyJhbGciOiJFUzI1NiJ9." + "A".repeat(BearerTokens.MAX_TOKEN_LENGTH) + ".sig");
    }

    @Test
    void forbiddenWithoutTheScope() {
        Caller customer = new Caller(USER, java.util.Set.of(Caller.CUSTOMER));
        ProblemException e = assertThrows(ProblemException.class, () -> customer.require(Caller.ADMIN));
        assertThat("status", e.problem().status(), is(403));
        assertThat("challenge", e.headers().get("WWW-Authenticate"), containsString("insufficient_scope"));
    }

    @Test
    void fetchesTheJwksOverHttpAndAgainForARotatedKey() throws Exception {
        AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(key));
        WebServer issuer = WebServer.builder().port(0)
                .routing(r -> r.get("/.well-known/jwks.json", (req, res) -> {
                    res.headers().contentType(io.helidon.common.media.type.MediaTypes.APPLICATION_JSON);
                    res.send(published.get().toPublicJWKSet().toString());
                }))
                .build().start();
        try {
            BearerTokens remote = BearerTokens.withJwksUrl(auth(Map.of("jwks.url",
                    "http://localhost:" + issuer.port() + "/.well-known/jwks.json")));
            assertThat("first key", remote.verify(sign(key, claims().build())).userId(), is(USER));
            // A rotation: the new key signs, the old one stays published. The unknown kid makes the verifier
            // fetch the set again instead of refusing tokens until its cache expires.
            published.set(new JWKSet(List.of(otherKey, key)));
            assertThat("rotated key", remote.verify(sign(otherKey, claims().build())).userId(), is(USER));
            assertThat("previous key", remote.verify(sign(key, claims().build())).userId(), is(USER));
        } finally {
            issuer.stop();
        }
    }

    @Test
    void answers503WhenTheJwksCannotBeFetched() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        BearerTokens remote = BearerTokens.withJwksUrl(auth(Map.of("jwks.url",
                "http://localhost:" + closedPort + "/.well-known/jwks.json")));
        String token = sign(key, claims().build());
        ProblemException e = assertThrows(ProblemException.class, () -> remote.verify(token));
        assertThat("a key outage is this service's problem, not the client's", e.problem().status(), is(503));
        assertThat("Retry-After", e.retryAfterSeconds().isPresent(), is(true));
    }

    private static void refused(String token) {
        assertThrows401(() -> tokens.verify(token));
    }

    private static void assertThrows401(org.junit.jupiter.api.function.Executable verify) {
        ProblemException e = assertThrows(ProblemException.class, verify);
        assertThat("status of " + e.getMessage(), e.problem().status(), is(401));
        assertThat("challenge", e.headers().get("WWW-Authenticate"), containsString("error=\"invalid_token\""));
    }

    private static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(USER.toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(15))))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", Caller.CUSTOMER);
    }

    private static JWSHeader.Builder header(JWSAlgorithm algorithm, String kid) {
        return new JWSHeader.Builder(algorithm).keyID(kid).type(BearerTokens.ACCESS_TOKEN_TYPE);
    }

    private static String sign(ECKey signingKey, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header(JWSAlgorithm.ES256, signingKey.getKeyID()).build(), claims);
        JWSSigner signer = new ECDSASigner(signingKey);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static Config auth(Map<String, String> more) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("issuer", ISSUER, "audience", AUDIENCE));
        settings.putAll(more);
        return Config.just(ConfigSources.create(settings));
    }
}
