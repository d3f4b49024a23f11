package io.meshshop.common.auth;

import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.meshshop.common.json.Ids;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Checks the bearer token of a request, in every service that serves customers, so that a local run and
 * every test are as safe as the cluster (where the sidecars check the same tokens too).
 *
 * <p>All the checking is Nimbus JOSE+JWT's: the signature against the issuer's JWKS, an allow-list of
 * asymmetric algorithms ({@code auth.algorithms}, default ES256 only; {@code alg: none} and HMAC are never
 * accepted, so a token "signed" with a public key as an HMAC secret fails), the header's {@code typ}
 * ({@code auth.token-type}, default {@code at+jwt}, RFC 9068), {@code iss} and {@code aud} exactly,
 * {@code exp} and {@code nbf} with a small clock skew, and the presence of {@code sub}, {@code iat} and
 * {@code jti}. A token that fails any check is answered {@code 401} with {@code WWW-Authenticate: Bearer}
 * (RFC 6750). Tokens are never logged. Another OpenID provider (Keycloak, say) plugs in by configuration:
 * its issuer, JWKS URL, algorithm ({@code RS256}) and header type ({@code JWT}).
 *
 * <p>A token that passed is remembered until it expires, as Envoy's JWT filter does: checking an ES256
 * signature costs more CPU than the rest of a simple request, and a customer sends the same token with every
 * request for 15 minutes. The cache never extends a token's life (an entry ends at {@code exp} plus the
 * skew, as the check would), but it does mean that a key withdrawn from the JWKS stops tokens it signed only
 * when they expire, at most 15 minutes later.
 */
public final class BearerTokens {

    /** The start of every {@code WWW-Authenticate} this service sends. */
    public static final String CHALLENGE = "Bearer realm=\"meshshop\"";
    /** The JOSE header type of access tokens (RFC 9068), so an ID token or another JWT is not taken for one. */
    public static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");
    /** The algorithm this project's issuer signs with, and the only one accepted unless configured otherwise. */
    public static final JWSAlgorithm ALGORITHM = JWSAlgorithm.ES256;

    /** Far above any token this issuer makes (about 600 bytes); longer ones are refused before parsing. */
    static final int MAX_TOKEN_LENGTH = 4096;
    private static final String BEARER = "bearer ";
    private static final System.Logger LOG = System.getLogger(BearerTokens.class.getName());
    /** Tokens remembered at most; past it, expired entries go first, then all (about 1 KiB each). */
    static final int MAX_REMEMBERED = 4096;

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final long skewMillis;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /** A token that passed every check, and until when it counts as checked. */
    private record Verified(Caller caller, long untilMillis) {
    }

    BearerTokens(JWKSource<SecurityContext> keys, Config auth) {
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                new JOSEObjectType(auth.get("token-type").asString().orElse(ACCESS_TOKEN_TYPE.getType()))));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms(auth), keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                Set.of(audience(auth)),
                new JWTClaimsSet.Builder().issuer(issuer(auth)).build(),
                Set.of("sub", "exp", "iat", "jti"),
                Set.of());
        claims.setMaxClockSkew(Math.toIntExact(clockSkew(auth).toSeconds()));
        processor.setJWTClaimsSetVerifier(claims);
        skewMillis = clockSkew(auth).toMillis();
    }

    /** {@code auth.algorithms}: asymmetric signature algorithms only; an HMAC or "none" here is a start-up error. */
    static Set<JWSAlgorithm> algorithms(Config auth) {
        List<String> names = auth.get("algorithms").asList(String.class).orElse(List.of(ALGORITHM.getName()));
        Set<JWSAlgorithm> algorithms = new HashSet<>();
        for (String name : names) {
            JWSAlgorithm algorithm = JWSAlgorithm.parse(name.strip());
            if (!JWSAlgorithm.Family.SIGNATURE.contains(algorithm)) {
                throw new IllegalStateException("auth.algorithms allows only asymmetric signatures, not " + name);
            }
            algorithms.add(algorithm);
        }
        return algorithms;
    }

    /**
     * For the issuer itself (the user service): its own public keys, no HTTP call. Reads {@code issuer},
     * {@code audience} and {@code clock-skew} from the {@code auth} node.
     */
    public static BearerTokens withKeys(Config auth, JWKSet publicKeys) {
        return new BearerTokens(new ImmutableJWKSet<>(publicKeys.toPublicJWKSet()), auth);
    }

    /**
     * For every other service: the issuer's JWKS fetched from {@code jwks.url}, cached for {@code jwks.cache}
     * (default 5 min) and refreshed ahead of expiry, fetched again (at most every 10 s) when a token names a
     * key it does not know, as after a rotation, and kept for {@code jwks.outage-tolerance} (default 1 h) while
     * the issuer cannot be reached. The fetch is not retried here: in the cluster the sidecar does that.
     */
    public static BearerTokens withJwksUrl(Config auth) {
        String url = auth.get("jwks.url").asString().get();
        Duration cache = auth.get("jwks.cache").as(Duration.class).orElse(Duration.ofMinutes(5));
        Duration outage = auth.get("jwks.outage-tolerance").as(Duration.class).orElse(Duration.ofHours(1));
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(URI.create(url).toURL(),
                            new DefaultResourceRetriever(1_000, 2_000, 64 * 1024))
                    .cache(cache.toMillis(), 2_000)
                    .refreshAheadCache(true)
                    .rateLimited(10_000)
                    .retrying(false)
                    .outageTolerant(outage.toMillis())
                    .build();
            return new BearerTokens(keys, auth);
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("auth.jwks.url is not a URL: " + url, e);
        }
    }

    /**
     * The verified caller of {@code req}.
     *
     * @throws ProblemException {@code 401} when the request has no valid bearer token; {@code 503} with
     *                          Retry-After when the issuer's keys cannot be fetched (the token may be fine)
     */
    public Caller require(ServerRequest req) {
        List<String> values = req.headers().contains(HeaderNames.AUTHORIZATION)
                ? req.headers().get(HeaderNames.AUTHORIZATION).allValues()
                : List.of();
        if (values.isEmpty()) {
            throw unauthenticated("This request needs a bearer token (Authorization: Bearer ...); sign in first",
                    CHALLENGE);
        }
        if (values.size() > 1) {
            throw invalid("more than one Authorization header");
        }
        String value = values.getFirst();
        if (value.length() <= BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw invalid("the Authorization header is not a Bearer token");
        }
        return verify(value.substring(BEARER.length()).strip());
    }

    /** The caller a token names, if the token is valid; see {@link #require}. */
    public Caller verify(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw invalid("the token is too long");
        }
        long now = System.currentTimeMillis();
        Verified known = verified.get(token);
        if (known != null) {
            if (now < known.untilMillis()) {
                return known.caller();
            }
            verified.remove(token);
        }
        // After the lookup: a remembered token is this exact string, which passed this check when it was verified
        // (decoding and re-encoding three parts on every request cost more than the lookup itself).
        if (!isCanonicalCompactJws(token)) {
            throw invalid("the token is not three canonical base64url parts");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (RateLimitReachedException e) {
            // A key id the cached set does not know, and the set was fetched again moments ago: the token names a
            // key the issuer does not publish. A 503 here would let anyone make this pod answer 5xx at will.
            LOG.log(System.Logger.Level.DEBUG, "Token refused: unknown key id, keys fetched moments ago");
            throw invalid("the token's key is not one the issuer publishes");
        } catch (KeySourceException e) {
            LOG.log(System.Logger.Level.WARNING, "The token issuer's keys could not be fetched: " + e.getMessage());
            throw new ProblemException(Problem.of(ProblemType.DEPENDENCY_UNAVAILABLE,
                    "The keys that sign tokens could not be fetched; try again shortly").with("dependency", "user"),
                    Problems.RETRY_AFTER_SECONDS);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            LOG.log(System.Logger.Level.DEBUG, "Token refused: " + e.getMessage());
            throw invalid(e.getMessage());
        }
        UUID userId = Ids.parseUuid(claims.getSubject()).orElseThrow(() -> invalid("the subject is not a user id"));
        Caller caller = new Caller(userId, scopes(claims));
        remember(token, new Verified(caller, claims.getExpirationTime().getTime() + skewMillis), now);
        return caller;
    }

    private void remember(String token, Verified entry, long now) {
        if (verified.size() >= MAX_REMEMBERED) {
            verified.values().removeIf(v -> v.untilMillis() <= now);
            if (verified.size() >= MAX_REMEMBERED) {
                verified.clear();
            }
        }
        verified.put(token, entry);
    }

    /**
     * True when the token is exactly {@code header.payload.signature}, each part non-empty and the canonical
     * base64url (RFC 7515) of what it decodes to. Nimbus's decoder skips characters outside the alphabet and
     * ignores spare bits, so without this one signed token would have endless string forms: appended junk, or
     * a last character that differs only in bits nobody reads, would still verify.
     */
    static boolean isCanonicalCompactJws(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                return false;
            }
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                boolean base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                                    || c == '-' || c == '_';
                if (!base64url) {
                    return false;
                }
            }
            try {
                byte[] decoded = Base64.getUrlDecoder().decode(part);
                if (!Base64.getUrlEncoder().withoutPadding().encodeToString(decoded).equals(part)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> scopes(JWTClaimsSet claims) {
        Object scope = claims.getClaim("scope");
        Set<String> scopes = new HashSet<>();
        if (scope instanceof String text) {
            for (String s : text.trim().split(" +")) {
                if (!s.isEmpty()) {
                    scopes.add(s);
                }
            }
        }
        return scopes;
    }

    private static ProblemException invalid(String why) {
        return unauthenticated("The bearer token is not valid: " + why, CHALLENGE + ", error=\"invalid_token\"");
    }

    private static ProblemException unauthenticated(String detail, String challenge) {
        return new ProblemException(Problem.of(ProblemType.UNAUTHENTICATED, detail), null,
                Map.of("WWW-Authenticate", challenge));
    }

    static String issuer(Config auth) {
        return auth.get("issuer").asString().orElse("https://meshshop.dev/auth");
    }

    static String audience(Config auth) {
        return auth.get("audience").asString().orElse("meshshop");
    }

    static Duration clockSkew(Config auth) {
        return auth.get("clock-skew").as(Duration.class).orElse(Duration.ofSeconds(30));
    }
}
