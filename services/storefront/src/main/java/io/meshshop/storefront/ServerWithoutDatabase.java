package io.meshshop.storefront;

import java.util.function.BooleanSupplier;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.problem.Problems;

import io.helidon.config.Config;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.tracing.Tracer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.observe.tracing.TracingObserver;

/**
 * common's {@code ServerDefaults.apply} for a server without a database: the same problem documents,
 * metrics, tracing and access log, and health whose readiness follows only the drain. common's version
 * takes a DbClient for its readiness check; until common offers a variant without one, this is it.
 */
final class ServerWithoutDatabase {

    private ServerWithoutDatabase() {
    }

    static WebServerConfig.Builder apply(WebServerConfig.Builder server, Config config, Tracer tracer,
                                         GracefulShutdown shutdown) {
        return server.config(config.get("server"))
                .featuresDiscoverServices(false)
                .directHandlers(Problems.directHandlers())
                .addFeature(observe(config.get("observe"), tracer, shutdown::draining))
                .addFeature(AccessLogFeature.create(config.get("access-log")))
                .addFeature(OpenApiFeature.create(config.get("openapi")));
    }

    /** Health (ready until the drain starts), metrics and server tracing. */
    private static ObserveFeature observe(Config observeConfig, Tracer tracer, BooleanSupplier draining) {
        HealthObserver health = HealthObserver.builder()
                .details(true)
                .useSystemServices(false)
                .addCheck(() -> HealthCheckResponse.builder()
                                .status(!draining.getAsBoolean())
                                .detail("draining", draining.getAsBoolean())
                                .build(),
                        HealthCheckType.READINESS, "drain")
                .build();
        return ObserveFeature.builder()
                .config(observeConfig)
                .observersDiscoverServices(false)
                .addObserver(health)
                .addObserver(MetricsObserver.create(observeConfig.get("observers.metrics")))
                .addObserver(TracingObserver.create(tracer, observeConfig.get("observers.tracing")))
                .build();
    }
}
