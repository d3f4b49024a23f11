package io.meshshop.storefront;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.http.ServerDefaults;
import io.meshshop.common.http.ServiceLauncher;
import io.meshshop.common.observe.Observability;
import io.meshshop.storefront.forward.ApiForwarding;
import io.meshshop.storefront.web.AssetHttpService;
import io.meshshop.storefront.web.Assets;
import io.meshshop.storefront.web.PageHttpService;
import io.meshshop.storefront.web.SecurityHeaders;

import io.helidon.config.Config;
import io.helidon.tracing.Tracer;
import io.helidon.webserver.WebServerConfig;

/**
 * The storefront: the web shop's page and assets. It has no database and calls no service in the cluster
 * (the browser calls the API through the ingress, on the same origin); in a local run it forwards
 * {@code /api/...} to the services instead ({@code forward.enabled}).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceLauncher.launch("storefront", "/", Main::setupServer);
    }

    /** Shared by {@link #main} and the tests, so that tests run the server as it ships. */
    public static WebServerConfig.Builder setupServer(WebServerConfig.Builder server, Config config,
                                                      GracefulShutdown shutdown) {
        Tracer tracer = Observability.tracer(config.get("tracing"));
        // Hashed and compressed once, at start: every request after that is a map lookup.
        Assets assets = Assets.load("web");
        return ServerDefaults.apply(server, config, tracer, shutdown)
                .routing(routing -> {
                    ServerDefaults.routing(routing);
                    routing.addFilter(SecurityHeaders::filter);
                    if (config.get("forward.enabled").asBoolean().orElse(false)) {
                        routing.register(ApiForwarding.create(config.get("forward")));
                    }
                    routing.register("/assets", new AssetHttpService(assets));
                    // Last: its catch-all answers every other GET with the page (404 for unknown paths).
                    routing.register(new PageHttpService(assets.page()));
                });
    }
}
