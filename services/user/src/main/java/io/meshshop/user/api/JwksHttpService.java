package io.meshshop.user.api;

import java.nio.charset.StandardCharsets;

import io.meshshop.common.problem.Problems;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.nimbusds.jose.jwk.JWKSet;

/**
 * {@code /.well-known/jwks.json}: the public halves of every signing key, the current one and the previous
 * one, so that other services verify tokens without asking this one per request. Open to anyone.
 */
public final class JwksHttpService implements HttpService {

    private static final HttpMediaType JWK_SET = HttpMediaType.create("application/jwk-set+json");

    private final byte[] body;

    public JwksHttpService(JWKSet keys) {
        // toPublicJWKSet drops every private part; the keys do not change while the service runs.
        this.body = keys.toPublicJWKSet().toString(true).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::keys)
                .any("/", Problems.methodNotAllowed("GET"));
    }

    private void keys(ServerRequest req, ServerResponse res) {
        // Five minutes, the verifiers' own cache time; a token with a key they have not seen makes them fetch again.
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
        res.headers().contentType(JWK_SET);
        res.send(body);
    }
}
