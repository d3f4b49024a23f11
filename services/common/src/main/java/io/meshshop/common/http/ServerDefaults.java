package io.meshshop.common.http;

import java.util.concurrent.CompletableFuture;

import io.meshshop.common.db.Databases;
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
import io.helidon.webserver.observe.ObserveFeature;

/**
 * What every meshshop server has besides its own routes: its database and tracer, problem documents for
 * every error, health, metrics, tracing, OpenAPI and the access log. Features are added here explicitly
 * (service discovery of features is off) so that what runs is what this file says.
 *
 * <p>A service's {@code setupServer} starts with {@link #infrastructure} and ends with {@link #apply} and
 * {@link #routing}; what lies between is the service's own.
 */
public final class ServerDefaults {

    private ServerDefaults() {
    }

    /** The database (migrated) and the tracer (Helidon's global one) of a service. */
    public record Infrastructure(DbClient db, Tracer tracer) {
    }

    /**
     * Opens and migrates the database ({@code db}) and builds the tracer ({@code tracing}), side by side:
     * neither needs the other (DbClient and WebClient tracing look the tracer up per call), and each is about
     * a sixth of a start-up. The database is closed after the server stops on SIGTERM.
     */
    public static Infrastructure infrastructure(Config config, GracefulShutdown shutdown) {
        CompletableFuture<Tracer> tracing = ServiceLauncher.inBackground("tracing",
                () -> Observability.tracer(config.get("tracing")));
        DbClient db = Databases.open(config.get("db"));
        shutdown.closeAfterStop(db);
        return new Infrastructure(db, ServiceLauncher.await(tracing));
    }

    public static WebServerConfig.Builder apply(WebServerConfig.Builder server, Config config,
                                                Infrastructure infrastructure, GracefulShutdown shutdown) {
        return apply(server, config, infrastructure.db(), infrastructure.tracer(), shutdown);
    }

    public static WebServerConfig.Builder apply(WebServerConfig.Builder server, Config config, DbClient db,
                                                Tracer tracer, GracefulShutdown shutdown) {
        return apply(server, config, Observability.observe(config.get("observe"), db, config.get("db"), tracer,
                shutdown::draining));
    }

    /** For a server without a database (the storefront): readiness follows the drain alone. */
    public static WebServerConfig.Builder apply(WebServerConfig.Builder server, Config config, Tracer tracer,
                                                GracefulShutdown shutdown) {
        return apply(server, config, Observability.observe(config.get("observe"), tracer, shutdown::draining));
    }

    private static WebServerConfig.Builder apply(WebServerConfig.Builder server, Config config,
                                                 ObserveFeature observe) {
        return server.config(config.get("server"))
                .featuresDiscoverServices(false)
                .directHandlers(Problems.directHandlers())
                .addFeature(observe)
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
