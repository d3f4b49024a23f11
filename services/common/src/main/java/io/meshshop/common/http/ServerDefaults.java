package io.meshshop.common.http;

import io.meshshop.common.observe.Observability;
import io.meshshop.common.observe.RequestMetrics;
import io.meshshop.common.problem.Problems;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.tracing.Tracer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.http.HttpRouting;

/**
 * What every meshshop server has besides its own routes: problem documents for every error, health,
 * metrics, tracing, OpenAPI and the access log. Features are added here explicitly (service discovery of
 * features is off) so that what runs is what this file says.
 */
public final class ServerDefaults {

    private ServerDefaults() {
    }

    public static WebServerConfig.Builder apply(WebServerConfig.Builder server, Config config, DbClient db,
                                                Tracer tracer, GracefulShutdown shutdown) {
        return server.config(config.get("server"))
                .featuresDiscoverServices(false)
                .directHandlers(Problems.directHandlers())
                .addFeature(Observability.observe(config.get("observe"), db, config.get("db"), tracer,
                        shutdown::draining))
                .addFeature(AccessLogFeature.create(config.get("access-log")))
                .addFeature(OpenApiFeature.create(config.get("openapi")));
    }

    /** Problem documents for every error (unmatched paths included) and RED metrics, before any route. */
    public static void routing(HttpRouting.Builder routing) {
        Problems.register(routing);
        routing.addFilter(RequestFraming::filter);
        routing.addFilter(new RequestMetrics());
    }
}
