package io.meshshop.user.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.meshshop.user.domain.EmailAddress;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * The {@code auth} configuration of the user service, read and checked once at start-up: a setting that is
 * out of bounds stops the service instead of weakening it.
 *
 * <p>Helidon maps an environment variable to a key by turning {@code _} into {@code .}, so
 * {@code AUTH_SIGNING_KEYS} arrives as {@code auth.signing.keys}, not {@code auth.signing-keys} (a dash would
 * need {@code _dash_}). Every dashed key here is therefore also read in its dotted form, which only the
 * environment produces and which wins, as the environment wins over application.yaml everywhere else.
 *
 * @param issuer             {@code iss} of issued tokens
 * @param audience           {@code aud} of issued tokens
 * @param tokenTtl           lifetime of a token, at most 15 minutes
 * @param clockSkew          tolerance for {@code exp} and {@code nbf} when the service checks its own tokens
 * @param signingKeys        the JWK Set file
 * @param generateSigningKeys create that file with one key when it is missing
 * @param adminEmails        normalised addresses whose tokens get the {@code admin} scope too
 * @param maxFailures        failed sign-ins per e-mail address in a window before sign-in is throttled
 * @param window             the throttling window
 * @param hashing            Argon2id parameters for new hashes
 * @param hashingSlots       concurrent hashes, 0 for automatic ({@link HashingSlots#automatic})
 * @param hashingMaxWait     how long a request waits for a hashing slot before it is answered 503
 */
public record AuthSettings(String issuer, String audience, Duration tokenTtl, Duration clockSkew, Path signingKeys,
                           boolean generateSigningKeys, Set<String> adminEmails, int maxFailures, Duration window,
                           Argon2idHasher.Parameters hashing, int hashingSlots, Duration hashingMaxWait) {

    /** The contract's upper bound on a token's life: a stolen token is useful for at most this long. */
    public static final Duration MAX_TOKEN_TTL = Duration.ofMinutes(15);

    public AuthSettings {
        if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenTtl.compareTo(MAX_TOKEN_TTL) > 0) {
            throw new IllegalStateException("auth.token-ttl must be positive and at most " + MAX_TOKEN_TTL
                                             + ", not " + tokenTtl);
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalStateException("auth.clock-skew must be between PT0S and PT5M, not " + clockSkew);
        }
        if (maxFailures < 1) {
            throw new IllegalStateException("auth.sign-in.max-failures must be at least 1, not " + maxFailures);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalStateException("auth.sign-in.window must be positive, not " + window);
        }
        if (hashingSlots < 0 || hashingMaxWait.isNegative()) {
            throw new IllegalStateException("auth.password-hashing.slots and max-wait must not be negative");
        }
        adminEmails = Set.copyOf(adminEmails);
    }

    /** Reads the service's {@code auth} node; defaults are the contract's. */
    public static AuthSettings from(Config auth) {
        Argon2idHasher.Parameters hashing;
        try {
            hashing = new Argon2idHasher.Parameters(
                    value(auth, "password-hashing.memory-kib").asInt().orElse(Argon2idHasher.OWASP.memoryKib()),
                    value(auth, "password-hashing.iterations").asInt().orElse(Argon2idHasher.OWASP.iterations()),
                    value(auth, "password-hashing.parallelism").asInt().orElse(Argon2idHasher.OWASP.parallelism()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("auth.password-hashing: " + e.getMessage(), e);
        }
        return new AuthSettings(
                value(auth, "issuer").asString().orElse("https://meshshop.dev/auth"),
                value(auth, "audience").asString().orElse("meshshop"),
                value(auth, "token-ttl").as(Duration.class).orElse(MAX_TOKEN_TTL),
                value(auth, "clock-skew").as(Duration.class).orElse(Duration.ofSeconds(30)),
                Path.of(value(auth, "signing-keys").asString().orElse("./data/user-signing-keys.json")),
                value(auth, "generate-signing-keys").asBoolean().orElse(false),
                adminEmails(value(auth, "admin-emails")),
                value(auth, "sign-in.max-failures").asInt().orElse(5),
                value(auth, "sign-in.window").as(Duration.class).orElse(Duration.ofMinutes(15)),
                hashing,
                value(auth, "password-hashing.slots").asInt().orElse(0),
                value(auth, "password-hashing.max-wait").as(Duration.class).orElse(Duration.ofMillis(500)));
    }

    /** What common's {@code BearerTokens} reads, as this record resolved it (dotted environment keys included). */
    public Config verifierConfig() {
        return Config.just(ConfigSources.create(Map.of(
                "issuer", issuer,
                "audience", audience,
                "clock-skew", clockSkew.toString())));
    }

    /** The dotted form of {@code key} when the environment set it, else {@code key} itself. */
    private static Config value(Config auth, String key) {
        Config dotted = auth.get(key.replace('-', '.'));
        return dotted.exists() ? dotted : auth.get(key);
    }

    /** A list, or one comma-separated string (as an environment variable gives it); blank means none. */
    private static Set<String> adminEmails(Config node) {
        List<String> raw = new ArrayList<>();
        if (node.isList()) {
            raw.addAll(node.asList(String.class).orElse(List.of()));
        } else {
            node.asString().ifPresent(text -> raw.addAll(List.of(text.split(","))));
        }
        Set<String> emails = new LinkedHashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            if (raw.get(i).isBlank()) {
                continue;
            }
            Optional<String> email = EmailAddress.normalise(raw.get(i));
            // The position, not the value: e-mail addresses are not logged.
            int position = i + 1;
            emails.add(email.orElseThrow(() -> new IllegalStateException(
                    "auth.admin-emails entry " + position + " is not a valid e-mail address")));
        }
        return emails;
    }
}
