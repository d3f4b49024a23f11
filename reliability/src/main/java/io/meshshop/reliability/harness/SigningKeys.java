package io.meshshop.reliability.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * The user service's signing keys for one suite: a JWK Set file with one EC P-256 private key, as the
 * cluster's Secret holds it ({@code AUTH_SIGNING_dash_KEYS}). Every user instance of the suite reads the same
 * file, as the replicas of a Deployment mount the same Secret, so a token one instance signed is good at
 * every other and at order. The services never generate keys here ({@code AUTH_GENERATE_dash_SIGNING_dash_KEYS=false},
 * as in the cluster), so a missing file is a start-up failure instead of two instances with two keys.
 */
public final class SigningKeys {

    private SigningKeys() {
    }

    /** Writes a new key set with one key to {@code file} (private parts included: the service signs with it). */
    public static Path create(Path file) {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256)
                    .keyID("rel-" + UUID.randomUUID())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
            Files.writeString(file, new JWKSet(key).toString(false));
            return file;
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not generate a signing key", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
    }

    /** The key set of {@code file}, private parts included (the bad-input corpus signs invalid tokens with it). */
    public static JWKSet load(Path file) {
        try {
            return JWKSet.load(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        } catch (ParseException e) {
            throw new IllegalStateException(file + " is not a JWK Set", e);
        }
    }

    /** The environment of a user instance that signs with the keys in {@code file}. */
    public static Map<String, String> userEnv(Path file) {
        // auth.signing-keys and auth.generate-signing-keys: Helidon spells a dash in a variable name _dash_.
        return Map.of("AUTH_SIGNING_dash_KEYS", file.toString(), "AUTH_GENERATE_dash_SIGNING_dash_KEYS", "false");
    }

    /** The environment of an order instance that checks tokens against the JWKS behind {@code userUrl}. */
    public static Map<String, String> orderEnv(String userUrl) {
        return Map.of("AUTH_JWKS_URL", userUrl + "/.well-known/jwks.json");
    }
}
