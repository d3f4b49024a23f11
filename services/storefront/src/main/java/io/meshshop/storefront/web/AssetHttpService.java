package io.meshshop.storefront.web;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.Problems;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /assets/{file}}: scripts, styles and images under their content-hashed names. A name is only ever
 * one content, so browsers and caches keep it for a year without asking again.
 */
public final class AssetHttpService implements HttpService {

    static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final Assets assets;

    public AssetHttpService(Assets assets) {
        this.assets = assets;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{file}", this::get);
    }

    private void get(ServerRequest req, ServerResponse res) {
        String file = req.path().pathParameters().get("file");
        // Written, not thrown, so the security headers stay (see PageHttpService).
        assets.asset(file).ifPresentOrElse(
                asset -> AssetResponses.send(req, res, asset, Status.OK_200, IMMUTABLE),
                () -> Problems.send(res, ProblemException.notFound("Asset " + file)));
    }
}
