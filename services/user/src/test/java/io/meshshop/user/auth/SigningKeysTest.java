package io.meshshop.user.auth;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.meshshop.common.auth.BearerTokens;
import io.meshshop.common.auth.Caller;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The key file: created owner-only, rotated to exactly two keys, and tokens that verify across a rotation. */
class SigningKeysTest {

    @TempDir
    Path dir;

    @Test
    void generatedWhenMissingWithOneKeyReadableByTheOwnerOnly() throws Exception {
        Path file = dir.resolve("nested/keys.json");
        JWKSet keys = SigningKeys.loadOrCreate(file, true);
        assertThat(keys.getKeys(), hasSize(1));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), is("rw-------"));
        assertThat("the same file is read again, not replaced", SigningKeys.loadOrCreate(file, true).getKeys().getFirst()
                .getKeyID(), is(keys.getKeys().getFirst().getKeyID()));
        try (var listing = Files.list(file.getParent())) {
            assertThat("no temporary file left behind", listing.toList(), hasSize(1));
        }
    }

    @Test
    void missingFileWithoutGenerationStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SigningKeys.loadOrCreate(dir.resolve("absent.json"), false));
        assertThat(e.getMessage(), containsString("auth.generate-signing-keys"));
    }

    @Test
    void publicKeysOrOtherCurvesAreRefused() throws Exception {
        Path file = dir.resolve("public.json");
        Files.writeString(file, new JWKSet(SigningKeys.newKey()).toString(true));
        assertThrows(IllegalStateException.class, () -> SigningKeys.load(file));
        Files.writeString(file, "{\"keys\":[]}");
        assertThrows(IllegalStateException.class, () -> SigningKeys.load(file));
        Files.writeString(file, "not json");
        assertThrows(IllegalStateException.class, () -> SigningKeys.load(file));
    }

    @Test
    void toolCreatesThenRotatesKeepingExactlyOnePreviousKey() throws Exception {
        Path file = dir.resolve("jwks.json");
        assertThat(tool("new", file.toString()), is(0));
        String first = SigningKeys.load(file).getKeys().getFirst().getKeyID();
        assertThat("new never overwrites", tool("new", file.toString()), is(1));
        assertThat(SigningKeys.load(file).getKeys().getFirst().getKeyID(), is(first));

        assertThat(tool("rotate", file.toString()), is(0));
        List<String> once = kids(file);
        assertThat(once, hasSize(2));
        assertThat("the new key signs", once.get(0), not(is(first)));
        assertThat("the old one is still published", once.get(1), is(first));

        assertThat(tool("rotate", file.toString()), is(0));
        List<String> twice = kids(file);
        assertThat("exactly one previous key", twice, hasSize(2));
        assertThat(twice.get(1), is(once.get(0)));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), is("rw-------"));

        assertThat("usage", tool("turn", file.toString()), is(2));
        assertThat("rotating nothing fails", tool("rotate", dir.resolve("none.json").toString()), is(1));
    }

    @Test
    void theToolPrintsKeyIdsNeverKeyMaterial() throws Exception {
        Path file = dir.resolve("printed.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SigningKeyTool.run(new String[] {"new", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        String printed = out.toString(StandardCharsets.UTF_8);
        JWK key = SigningKeys.load(file).getKeys().getFirst();
        assertThat(printed, containsString(key.getKeyID()));
        assertThat(printed, not(containsString(key.toECKey().getD().toString())));
        assertThat(printed, not(containsString(key.toECKey().getX().toString())));
    }

    @Test
    void tokensOfThePreviousKeyStillVerifyAfterARotation() throws Exception {
        Path file = dir.resolve("rotation.json");
        JWKSet before = SigningKeys.loadOrCreate(file, true);
        UUID user = UUID.randomUUID();
        String oldToken = tokens(before).issue(user, List.of("customer"));
        SigningKeys.write(file, SigningKeys.rotated(before), true);
        JWKSet after = SigningKeys.load(file);
        String newToken = tokens(after).issue(user, List.of("customer", "admin"));

        BearerTokens verifier = BearerTokens.withKeys(config(), after);
        assertThat(verifier.verify(oldToken), is(new Caller(user, java.util.Set.of("customer"))));
        assertThat(verifier.verify(newToken), is(new Caller(user, java.util.Set.of("customer", "admin"))));
        assertThat("the new key signs", SignedJWT.parse(newToken).getHeader().getKeyID(),
                is(after.getKeys().getFirst().getKeyID()));
    }

    @Test
    void tokensCarryTheContractsHeaderAndClaims() throws Exception {
        JWKSet keys = SigningKeys.loadOrCreate(dir.resolve("claims.json"), true);
        UUID user = UUID.randomUUID();
        SignedJWT token = SignedJWT.parse(tokens(keys).issue(user, List.of("customer")));
        assertThat(token.getHeader().getAlgorithm().getName(), is("ES256"));
        assertThat(token.getHeader().getType().getType(), is("at+jwt"));
        assertThat(token.getHeader().getKeyID(), is(keys.getKeys().getFirst().getKeyID()));
        var claims = token.getJWTClaimsSet();
        assertThat(claims.getIssuer(), is("https://meshshop.dev/auth"));
        assertThat(claims.getAudience(), is(List.of("meshshop")));
        assertThat(claims.getSubject(), is(user.toString()));
        assertThat(claims.getNotBeforeTime(), is(claims.getIssueTime()));
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime(), is(Duration.ofMinutes(15).toMillis()));
        assertThat(UUID.fromString(claims.getJWTID()).version(), is(4));
        assertThat(claims.getStringClaim("scope"), is("customer"));
    }

    private static AccessTokens tokens(JWKSet keys) {
        return new AccessTokens(SigningKeys.signingKey(keys), "https://meshshop.dev/auth", "meshshop",
                Duration.ofMinutes(15), Clock.systemUTC());
    }

    private static Config config() {
        return Config.just(ConfigSources.create(Map.of("issuer", "https://meshshop.dev/auth", "audience", "meshshop")));
    }

    private static List<String> kids(Path file) {
        return SigningKeys.load(file).getKeys().stream().map(JWK::getKeyID).toList();
    }

    private static int tool(String... args) {
        return SigningKeyTool.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }
}
