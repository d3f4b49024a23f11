package io.meshshop.user.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import io.meshshop.common.auth.BearerTokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Issues access tokens as the contract defines them: a JWS with ES256, header {@code kid} and
 * {@code typ: at+jwt} (RFC 9068), claims {@code iss}, {@code aud}, {@code sub} (the user id), {@code iat},
 * {@code nbf} (= iat), {@code exp} (iat + ttl), {@code jti} (random) and {@code scope}. Signed by Nimbus.
 */
public final class AccessTokens {

    private final ECKey key;
    private final ECDSASigner signer;
    private final String issuer;
    private final String audience;
    private final Duration ttl;
    private final Clock clock;

    public AccessTokens(ECKey key, String issuer, String audience, Duration ttl, Clock clock) {
        try {
            this.signer = new ECDSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("The signing key cannot sign ES256", e);
        }
        this.key = key;
        this.issuer = issuer;
        this.audience = audience;
        this.ttl = ttl;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    /** A signed token for {@code userId} with the given scopes. */
    public String issue(UUID userId, List<String> scopes) {
        // Whole seconds: JWT dates are seconds, and exp - iat is then exactly the ttl announced as expiresIn.
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(userId.toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", String.join(" ", scopes))
                .build();
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(BearerTokens.ALGORITHM)
                .keyID(key.getKeyID())
                .type(BearerTokens.ACCESS_TOKEN_TYPE)
                .build(), claims);
        try {
            token.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("Signing a token failed", e);
        }
        return token.serialize();
    }
}
