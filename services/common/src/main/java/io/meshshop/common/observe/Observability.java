package io.meshshop.common.observe;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.health.DbClientHealthCheck;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.tracing.Tracer;
import io.helidon.tracing.providers.opentelemetry.HelidonOpenTelemetry;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.health.HealthObserverConfig;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.observe.tracing.TracingObserver;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;

/**
 * Health, metrics and tracing wiring, the same in every service.
 *
 * <p>Tracing uses the OpenTelemetry SDK configured by the standard {@code OTEL_*} environment variables
 * (exporter endpoint, sampler, propagators, resource attributes). Defaults come from the service's
 * {@code tracing} config node; with no {@code OTEL_EXPORTER_OTLP_ENDPOINT} nothing is exported and the
 * tracer is a no-op, so a laptop run does not try to reach a collector.
 */
public final class Observability {

    private static final System.Logger LOG = System.getLogger(Observability.class.getName());

    /** The tracer made last: the global one in a service; in tests, whose JVM may hold an earlier global one. */
    private static volatile Tracer made;

    private Observability() {
    }

    /** Creates the tracer and makes it Helidon's global one, which WebClient and DbClient tracing use. */
    public static Tracer tracer(Config tracing) {
        String endpoint = setting("otel.exporter.otlp.endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT");
        String service = tracing.get("service").asString().orElse("meshshop");
        if (!tracing.get("enabled").asBoolean().orElse(true) || endpoint == null || endpoint.isBlank()) {
            // No spans of our own, but incoming trace context still flows to outbound calls unchanged, so
            // the sidecars' spans on both sides of this service stay in one trace.
            OpenTelemetry propagating = OpenTelemetry.propagating(ContextPropagators.create(
                    TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
                            W3CBaggagePropagator.getInstance())));
            return makeGlobal(HelidonOpenTelemetry.create(propagating, propagating.getTracer(service), Map.of()));
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", service);
        defaults.put("otel.traces.exporter", "otlp");
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        // W3C only. Istio's OpenTelemetry provider makes Envoy read and write traceparent alone, and
        // OpenTelemetry's composite extractor lets the last propagator that finds a context win: with B3 in the
        // list, a stale b3 header (a client's, or one copied from an earlier hop) became the parent and the
        // sidecars' spans hung off to the side of ours.
        defaults.put("otel.propagators", "tracecontext,baggage");
        defaults.put("otel.traces.sampler", "parentbased_traceidratio");
        defaults.put("otel.traces.sampler.arg", tracing.get("sampler-ratio").asString().orElse("0.1"));
        Attributes resourceDefaults = Attributes.builder()
                .put("service.namespace", "meshshop")
                .put("service.version", tracing.get("version").asString().orElse("v1"))
                .put("deployment.environment.name", tracing.get("environment").asString().orElse("local"))
                .build();
        // Environment variables and system properties still win over these defaults; the SDK registers its
        // own shutdown hook that flushes spans still in the batch.
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addResourceCustomizer((resource, properties) -> withDefaults(resource, resourceDefaults))
                // Helidon's server and DbClient spans carry the old attribute names: rewritten on export.
                .addSpanExporterCustomizer((exporter, properties) -> new StableConventions(exporter))
                // Only requests and deliberate background work start traces (TraceRoots).
                .addSamplerCustomizer((sampler, properties) -> new TraceRoots(sampler))
                .build()
                .getOpenTelemetrySdk();
        OpenTelemetry otel = sdk;
        LOG.log(System.Logger.Level.INFO, "Tracing " + service + " to " + endpoint);
        return makeGlobal(HelidonOpenTelemetry.create(otel, otel.getTracer(service), Map.of()));
    }

    /**
     * Adds each default resource attribute that the environment did not set. OTEL_RESOURCE_ATTRIBUTES
     * replaces a default given as a property as a whole, so a Deployment that sets only service.name there
     * would otherwise lose deployment.environment.name and service.version, which Jaeger filters by.
     */
    static Resource withDefaults(Resource resource, Attributes defaults) {
        AttributesBuilder missing = Attributes.builder();
        defaults.forEach((key, value) -> {
            if (resource.getAttribute(key) == null) {
                putUnchecked(missing, key, value);
            }
        });
        return resource.merge(Resource.create(missing.build()));
    }

    @SuppressWarnings("unchecked")
    private static void putUnchecked(AttributesBuilder builder, AttributeKey<?> key, Object value) {
        builder.put((AttributeKey<Object>) key, value);
    }

    /**
     * The observe feature: {@code /observe/health} (readiness follows the database and the drain),
     * {@code /observe/metrics} and server tracing.
     *
     * @param observeConfig the {@code server.features.observe} node
     * @param draining      true once shutdown started, so the mesh stops sending before the server stops
     */
    public static ObserveFeature observe(Config observeConfig, DbClient db, Config dbConfig, Tracer tracer,
                                         BooleanSupplier draining) {
        StableConventions.databaseSystem(dbConfig.get("url").asString().orElse(""));
        // Every service with a database takes Idempotency-Keys: its outcomes are series from the first scrape.
        Meters.preRegister(Meters.IDEMPOTENCY_REQUESTS, Meters.IDEMPOTENCY_REQUESTS_DESCRIPTION, "outcome",
                "executed", "replayed", "key_reused", "in_flight");
        DbClientHealthCheck database = DbClientHealthCheck.builder(db)
                .name("database")
                .query()
                .statement("SELECT 1")
                .timeout(dbConfig.get("health-timeout").as(Duration.class).orElse(Duration.ofSeconds(2)))
                .build();
        return observe(observeConfig, tracer, draining, database);
    }

    /**
     * As {@link #observe(Config, DbClient, Config, Tracer, BooleanSupplier)}, for a server without a database
     * (the storefront): readiness is the drain and the checks given.
     */
    public static ObserveFeature observe(Config observeConfig, Tracer tracer, BooleanSupplier draining,
                                         HealthCheck... readiness) {
        HealthObserverConfig.Builder health = HealthObserver.builder()
                .details(true)
                .useSystemServices(false)
                .addCheck(() -> HealthCheckResponse.builder()
                                .status(!draining.getAsBoolean())
                                .detail("draining", draining.getAsBoolean())
                                .build(),
                        HealthCheckType.READINESS, "drain");
        for (HealthCheck check : readiness) {
            health.addCheck(check, HealthCheckType.READINESS);
        }
        return ObserveFeature.builder()
                .config(observeConfig)
                .observersDiscoverServices(false)
                .addObserver(health.build())
                .addObserver(MetricsObserver.create(observeConfig.get("observers.metrics")))
                .addObserver(TracingObserver.create(tracer, observeConfig.get("observers.tracing")))
                .build();
    }

    /**
     * DbClient and WebClient tracing find the tracer through {@link Tracer#global()}. Helidon 4.1.2's
     * OpenTelemetry provider stores the tracer and then throws anyway (a missing return in
     * OpenTelemetryTracerProvider.global); the tracer is set, so that one exception is expected
     * (docs/helidon-workarounds.md#the-global-tracer).
     */
    private static Tracer makeGlobal(Tracer tracer) {
        made = tracer;
        try {
            Tracer.global(tracer);
        } catch (IllegalArgumentException expected) {
            // Set despite the exception. A second server in one JVM (tests) keeps the first global tracer.
            LOG.log(System.Logger.Level.TRACE, "Helidon 4.1.2 global tracer quirk", expected);
        }
        return tracer;
    }

    /** The tracer {@link #tracer} made, else Helidon's global one: for spans started outside a request. */
    static Tracer madeTracer() {
        Tracer tracer = made;
        return tracer != null ? tracer : Tracer.global();
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(env);
    }
}
