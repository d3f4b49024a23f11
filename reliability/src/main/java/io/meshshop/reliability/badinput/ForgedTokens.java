package io.meshshop.reliability.badinput;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

/**
 * Tokens that name a real customer and must still be refused, each for one reason: no signature
 * ({@code alg: none}), a MAC keyed with the issuer's public key (the classic algorithm confusion), a
 * signature by a key that is not the issuer's (same kid, unknown kid, embedded in the header), an algorithm
 * other than ES256, a tampered payload or signature, an all-zero ECDSA signature (CVE-2022-21449), and
 * properly signed tokens whose claims are wrong: expired, not yet valid, another issuer or audience, not an
 * access token, no subject, no id. Made with Nimbus, from the suite's own signing key, so that everything but
 * the one broken part is exactly what the issuer would sign: a service that skipped that one check would
 * serve the request.
 */
public final class ForgedTokens {

    private static final JOSEObjectType ACCESS_TOKEN = new JOSEObjectType("at+jwt");

    private final ECKey issuerKey;
    private final String issuer;
    private final String audience;
    private final ECKey strangerKey;
    private final ECKey stranger384;
    private final RSAKey strangerRsa;

    /**
     * @param signingKeys the user service's key set (the first key signs, private part included)
     */
    public ForgedTokens(JWKSet signingKeys, String issuer, String audience) {
        this.issuerKey = signingKeys.getKeys().getFirst().toECKey();
        this.issuer = issuer;
        this.audience = audience;
        try {
            this.strangerKey = new ECKeyGenerator(Curve.P_256).keyID(issuerKey.getKeyID()).generate();
            this.stranger384 = new ECKeyGenerator(Curve.P_384).keyID(issuerKey.getKeyID()).generate();
            this.strangerRsa = new RSAKeyGenerator(2048).keyID(issuerKey.getKeyID()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not generate the forger's keys", e);
        }
    }

    /** Every forged token for {@code subject}, with {@code scope}; each must be answered 401. */
    public List<Endpoint.WrongToken> against(UUID subject, String scope) {
        Set<Integer> refused = Set.of(401);
        List<Endpoint.WrongToken> tokens = new ArrayList<>();
        try {
            Instant now = Instant.now();
            JWTClaimsSet claims = claims(subject, scope, now, Duration.ofMinutes(30)).build();
            JWSHeader header = header(JWSAlgorithm.ES256).build();
            String genuine = sign(header, claims, new ECDSASigner(issuerKey));
            String[] parts = genuine.split("\\.");

            tokens.add(new Endpoint.WrongToken("alg none", new PlainJWT(new PlainHeader.Builder().type(ACCESS_TOKEN).build(),
                    claims).serialize(), refused));
            tokens.add(new Endpoint.WrongToken("alg none with the issuer's kid and a genuine signature kept",
                    new PlainJWT(new PlainHeader.Builder().type(ACCESS_TOKEN).customParam("kid", issuerKey.getKeyID()).build(),
                            claims).serialize() + parts[2], refused));
            tokens.add(new Endpoint.WrongToken("HS256 keyed with the issuer's public JWK",
                    sign(header(JWSAlgorithm.HS256).build(), claims,
                            new MACSigner(issuerKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))), refused));
            byte[] der = issuerKey.toECPublicKey().getEncoded();
            tokens.add(new Endpoint.WrongToken("HS256 keyed with the issuer's public key (X.509 DER)",
                    sign(header(JWSAlgorithm.HS256).build(), claims, new MACSigner(der)), refused));
            String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                         + "\n-----END PUBLIC KEY-----\n";
            tokens.add(new Endpoint.WrongToken("HS256 keyed with the issuer's public key (PEM)",
                    sign(header(JWSAlgorithm.HS256).build(), claims, new MACSigner(pem.getBytes(StandardCharsets.US_ASCII))),
                    refused));
            tokens.add(new Endpoint.WrongToken("signed by another P-256 key under the issuer's kid",
                    sign(header, claims, new ECDSASigner(strangerKey)), refused));
            tokens.add(new Endpoint.WrongToken("signed by another P-256 key under an unknown kid",
                    sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(ACCESS_TOKEN).keyID("unknown-" + UUID.randomUUID()).build(),
                            claims, new ECDSASigner(strangerKey)), refused));
            tokens.add(new Endpoint.WrongToken("signed by a key embedded in its own header (jwk)",
                    sign(header(JWSAlgorithm.ES256).jwk(strangerKey.toPublicJWK()).build(), claims,
                            new ECDSASigner(strangerKey)), refused));
            tokens.add(new Endpoint.WrongToken("signed by a key behind a jku of the attacker's",
                    sign(header(JWSAlgorithm.ES256).jwkURL(java.net.URI.create("http://127.0.0.1:9/jwks.json")).build(),
                            claims, new ECDSASigner(strangerKey)), refused));
            tokens.add(new Endpoint.WrongToken("ES384 (an algorithm other than ES256)",
                    sign(header(JWSAlgorithm.ES384).build(), claims, new ECDSASigner(stranger384)), refused));
            tokens.add(new Endpoint.WrongToken("RS256 (an algorithm other than ES256)",
                    sign(header(JWSAlgorithm.RS256).build(), claims, new RSASSASigner(strangerRsa)), refused));
            tokens.add(new Endpoint.WrongToken("an unknown critical header parameter",
                    sign(header(JWSAlgorithm.ES256).criticalParams(Set.of("meshshop-x")).customParam("meshshop-x", 1).build(),
                            claims, new ECDSASigner(issuerKey)), refused));

            byte[] signature = new Base64URL(parts[2]).decode();
            byte[] flipped = signature.clone();
            flipped[0] ^= 0x01;
            tokens.add(new Endpoint.WrongToken("a genuine token with one bit of its signature flipped",
                    parts[0] + "." + parts[1] + "." + Base64URL.encode(flipped), refused));
            tokens.add(new Endpoint.WrongToken("a genuine token's signature in DER instead of r||s",
                    parts[0] + "." + parts[1] + "." + Base64URL.encode(ECDSA.transcodeSignatureToDER(signature)), refused));
            tokens.add(new Endpoint.WrongToken("an all-zero ECDSA signature (r = s = 0, CVE-2022-21449)",
                    parts[0] + "." + parts[1] + "." + Base64URL.encode(new byte[64]), refused));
            tokens.add(new Endpoint.WrongToken("a genuine token without its signature", parts[0] + "." + parts[1] + ".",
                    refused));
            // Another customer's genuine token with this customer swapped into its payload.
            String someoneElse = sign(header, claims(UUID.randomUUID(), scope, now, Duration.ofMinutes(30)).build(),
                    new ECDSASigner(issuerKey));
            String[] other = someoneElse.split("\\.");
            tokens.add(new Endpoint.WrongToken("someone else's genuine signature under this customer's payload",
                    other[0] + "." + parts[1] + "." + other[2], refused));

            ECDSASigner issuerSigner = new ECDSASigner(issuerKey);
            tokens.add(new Endpoint.WrongToken("expired an hour ago", sign(header,
                    claims(subject, scope, now.minus(Duration.ofHours(2)), Duration.ofHours(1)).build(), issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("expired two minutes ago (beyond the clock skew)", sign(header,
                    claims(subject, scope, now.minus(Duration.ofMinutes(17)), Duration.ofMinutes(15)).build(), issuerSigner),
                    refused));
            tokens.add(new Endpoint.WrongToken("not valid before an hour from now", sign(header,
                    claims(subject, scope, now.plus(Duration.ofHours(1)), Duration.ofMinutes(15)).build(), issuerSigner),
                    refused));
            tokens.add(new Endpoint.WrongToken("another issuer", sign(header,
                    new JWTClaimsSet.Builder(claims).issuer("https://attacker.example/auth").build(), issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("another audience", sign(header,
                    new JWTClaimsSet.Builder(claims).audience("payment").build(), issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("no audience", sign(header,
                    new JWTClaimsSet.Builder(claims).audience((String) null).build(), issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("typ JWT (not an access token)", sign(
                    header(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(), claims, issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("no typ", sign(
                    new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(issuerKey.getKeyID()).build(), claims, issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("no subject", sign(header,
                    new JWTClaimsSet.Builder(claims).subject(null).build(), issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("a subject that is not a user id", sign(header,
                    new JWTClaimsSet.Builder(claims).subject("admin").build(), issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("no expiry", sign(header,
                    new JWTClaimsSet.Builder(claims).expirationTime(null).build(), issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("no issued-at", sign(header,
                    new JWTClaimsSet.Builder(claims).issueTime(null).build(), issuerSigner), refused));
            tokens.add(new Endpoint.WrongToken("no token id (jti)", sign(header,
                    new JWTClaimsSet.Builder(claims).jwtID(null).build(), issuerSigner), refused));
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not forge the tokens", e);
        }
        return tokens;
    }

    /** A token exactly as the issuer makes it, valid for 30 minutes: the control every forged one is compared to. */
    String genuine(UUID subject, String scope) {
        try {
            return sign(header(JWSAlgorithm.ES256).build(), claims(subject, scope, Instant.now(), Duration.ofMinutes(30)).build(),
                    new ECDSASigner(issuerKey));
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not sign", e);
        }
    }

    /** What the issuer puts in a token: iss, aud, sub, iat, nbf = iat, exp, jti, scope. */
    private JWTClaimsSet.Builder claims(UUID subject, String scope, Instant issued, Duration life) {
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(subject.toString())
                .issueTime(Date.from(issued))
                .notBeforeTime(Date.from(issued))
                .expirationTime(Date.from(issued.plus(life)))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", scope);
    }

    private JWSHeader.Builder header(JWSAlgorithm algorithm) {
        return new JWSHeader.Builder(algorithm).type(ACCESS_TOKEN).keyID(issuerKey.getKeyID());
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, com.nimbusds.jose.JWSSigner signer)
            throws JOSEException {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
