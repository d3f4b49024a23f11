package io.meshshop.user.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AuthSettingsTest {

    @Test
    void defaultsAreTheContracts() {
        AuthSettings settings = AuthSettings.from(auth(Map.of()));
        assertThat(settings.issuer(), is("https://meshshop.dev/auth"));
        assertThat(settings.audience(), is("meshshop"));
        assertThat(settings.tokenTtl(), is(Duration.ofMinutes(15)));
        assertThat(settings.signingKeys(), is(Path.of("./data/user-signing-keys.json")));
        assertThat(settings.generateSigningKeys(), is(false));
        assertThat(settings.adminEmails(), is(Set.of()));
        assertThat(settings.maxFailures(), is(5));
        assertThat(settings.window(), is(Duration.ofMinutes(15)));
        assertThat(settings.hashing(), is(Argon2idHasher.OWASP));
    }

    @Test
    void aTokenLifeOverFifteenMinutesStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AuthSettings.from(auth(Map.of("token-ttl", "PT15M1S"))));
        assertThat(e.getMessage(), containsString("auth.token-ttl"));
        assertThrows(IllegalStateException.class, () -> AuthSettings.from(auth(Map.of("token-ttl", "PT0S"))));
        assertThat(AuthSettings.from(auth(Map.of("token-ttl", "PT5M"))).tokenTtl(), is(Duration.ofMinutes(5)));
    }

    @Test
    void weakOrAbsurdHashingParametersStopTheStart() {
        assertThrows(IllegalStateException.class, () -> AuthSettings.from(auth(Map.of("password-hashing.memory-kib", "4"))));
        assertThrows(IllegalStateException.class, () -> AuthSettings.from(auth(Map.of("sign-in.max-failures", "0"))));
    }

    @Test
    void adminEmailsAreACommaSeparatedListNormalisedAndChecked() {
        assertThat(AuthSettings.from(auth(Map.of("admin-emails", " Boss@Example.com ,ops@example.com,"))).adminEmails(),
                is(Set.of("boss@example.com", "ops@example.com")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AuthSettings.from(auth(Map.of("admin-emails", "ok@example.com,secret-not-an-address"))));
        assertThat("names the position, not the value", e.getMessage(), containsString("entry 2"));
    }

    @Test
    void theEnvironmentsUndashedFormsAreReadAndWin() {
        // AUTH_SIGNING_KEYS and AUTH_GENERATE_SIGNING_KEYS, as Helidon maps them.
        AuthSettings settings = AuthSettings.from(auth(Map.of(
                "signing-keys", "/from/yaml.json",
                "signing.keys", "/etc/meshshop/signing-keys/jwks.json",
                "generate.signing.keys", "true",
                "sign.in.max.failures", "7")));
        assertThat(settings.signingKeys(), is(Path.of("/etc/meshshop/signing-keys/jwks.json")));
        assertThat(settings.generateSigningKeys(), is(true));
        assertThat(settings.maxFailures(), is(7));
    }

    /** The {@code auth} node with these values. */
    private static Config auth(Map<String, String> values) {
        return Config.just(ConfigSources.create(values));
    }
}
