package io.meshshop.storefront.web;

import java.util.List;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;

import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The page, at every address of the shop ({@code /}, {@code /cart}, {@code /orders/{id}}, ...): the page's
 * script shows the view for the address, so each one can be bookmarked and reloaded. The page is
 * revalidated on every load ({@code no-cache}, answered 304 while unchanged), which is how a new release's
 * asset names reach browsers at once.
 *
 * <p>Registered last, it also answers everything no other route took (but the observe and OpenAPI
 * endpoints, which Helidon adds after it): the page with 404 for other GETs, so a mistyped link still shows the shop, and a
 * 404 problem for the rest. Those problems are written here rather than thrown: Helidon's error handling
 * resets the response, and the security headers with it.
 */
public final class PageHttpService implements HttpService {

    static final String REVALIDATE = "no-cache";

    /** The views the page's script knows; keep in step with ROUTES in main.js and META-INF/openapi.yaml. */
    static final List<String> VIEWS = List.of("/", "/cart", "/sign-in", "/sign-up", "/orders", "/orders/{id}");

    /** Paths of the API and the assets: never answered with the page. */
    private static final List<String> NOT_PAGES = List.of("/api/", "/assets/", "/.well-known/");

    private final Assets.Asset page;

    public PageHttpService(Assets.Asset page) {
        this.page = page;
    }

    @Override
    public void routing(HttpRules rules) {
        for (String view : VIEWS) {
            rules.get(view, (req, res) -> AssetResponses.send(req, res, page, Status.OK_200, REVALIDATE));
        }
        rules.any("/*", this::other);
    }

    private void other(ServerRequest req, ServerResponse res) {
        String path = req.path().absolute().path();
        if (path.startsWith("/observe/") || path.equals("/openapi")) {
            // Helidon's observe and OpenAPI features route after this service.
            res.next();
        } else if (req.prologue().method() == Method.GET && NOT_PAGES.stream().noneMatch(path::startsWith)) {
            AssetResponses.send(req, res, page, Status.NOT_FOUND_404, REVALIDATE);
        } else {
            Problems.send(res, ProblemException.of(ProblemType.NOT_FOUND, "There is nothing at " + path));
        }
    }
}
