package io.meshshop.manifests;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.istio.api.api.telemetry.v1alpha1.Tracing;
import io.fabric8.istio.api.telemetry.v1.Telemetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing goes where the Istio installation sends it, and the installation (mesh/install, an IstioOperator
 * for istioctl) enables the CNI plugin that Pod Security "restricted" needs.
 */
class TelemetryAndInstallTest {

    static final String INSTALL = "mesh/install/istio-cni-and-tracing.yaml";
    /** The overlay installed with INSTALL: the proxies fetch the keys of customer tokens (CustomerTokensContractTest). */
    static final String JWKS_FETCH_INSTALL = "mesh/install/jwks-fetched-by-proxies.yaml";
    /** The third overlay, for a production cluster: the proxies' spans to the platform's collector. */
    static final String PRODUCTION_INSTALL = "mesh/install/production.yaml";
    /** Every IstioOperator file, in the order istioctl overlays them. */
    static final List<String> INSTALL_FILES = List.of(INSTALL, JWKS_FETCH_INSTALL, PRODUCTION_INSTALL);
    /** The ones scripts/kind-up.sh installs a dev cluster with. */
    static final List<String> DEV_INSTALL_FILES = List.of(INSTALL, JWKS_FETCH_INSTALL);

    /**
     * The OpenTelemetry collector the proxies of this rendering send spans to: the provider of the installation
     * its environment uses (prod overlays production.yaml on the others; istioctl replaces lists whole).
     */
    static String collectorOf(Resources mesh) {
        List<ExtensionProvider> providers = install(mesh.isProduction() ? PRODUCTION_INSTALL : INSTALL).spec().meshConfig()
                .extensionProviders().stream().filter(p -> p.opentelemetry() != null).toList();
        assertEquals(1, providers.size(), "one OpenTelemetry provider");
        return providers.get(0).opentelemetry().service();
    }

    // The part of IstioOperator that meshshop sets, read strictly (fabric8 has no IstioOperator model):
    // an unknown or misspelt field fails instead of being ignored by the tests.
    record IstioOperator(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
                         @JsonProperty(required = true) Spec spec) {
    }

    record Spec(String profile, Components components, MeshConfig meshConfig, Values values) {
    }

    /** Helm values of the installation: only istiod's environment is set. */
    record Values(Pilot pilot) {
    }

    record Pilot(Map<String, String> env) {
    }

    record Components(Enabled cni) {
    }

    record Enabled(boolean enabled) {
    }

    record MeshConfig(List<ExtensionProvider> extensionProviders) {
    }

    record ExtensionProvider(String name, OpenTelemetry opentelemetry, EnvoyFileAccessLog envoyFileAccessLog) {
    }

    record OpenTelemetry(String service, int port) {
    }

    record EnvoyFileAccessLog(String path, LogFormat logFormat) {
    }

    /** Istio's MeshConfig access-log format: a text template or JSON labels (one of the two). */
    record LogFormat(String text, Map<String, String> labels) {
    }

    static IstioOperator install() {
        return install(INSTALL);
    }

    static IstioOperator install(String file) {
        JsonNode tree = StrictManifests.documents(file, Repo.read(file)).get(0);
        try {
            return StrictManifests.YAML.treeToValue(tree, IstioOperator.class);
        } catch (Exception e) {
            throw new AssertionError(file + " does not parse strictly: " + e.getMessage(), e);
        }
    }

    @Test
    void installIsAnIstioOperatorWithTheCniPlugin() {
        for (String file : INSTALL_FILES) {
            IstioOperator operator = install(file);
            assertEquals("install.istio.io/v1alpha1", operator.apiVersion(), file);
            assertEquals("IstioOperator", operator.kind(), file);
        }
        IstioOperator operator = install();
        assertTrue(operator.spec().components().cni().enabled(), "Pod Security restricted rejects istio-init: CNI is required");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.meshshop.manifests.MeshRoutingContractTest#meshes")
    void tracesGoToAProviderTheInstallationDefines(Resources mesh) {
        Set<String> providers = new TreeSet<>();
        install().spec().meshConfig().extensionProviders().forEach(p -> providers.add(p.name()));
        List<Telemetry> telemetry = mesh.all(Telemetry.class);
        assertFalse(telemetry.isEmpty());
        for (Telemetry t : telemetry) {
            assertFalse(t.getSpec().getTracing().isEmpty(), t.getMetadata().getName());
            t.getSpec().getTracing().forEach(tracing -> tracing.getProviders().forEach(p -> assertTrue(
                    install().spec().meshConfig().extensionProviders().stream()
                            .anyMatch(e -> e.name().equals(p.getName()) && e.opentelemetry() != null),
                    p.getName() + " is not an OpenTelemetry provider")));
            for (Tracing tracing : t.getSpec().getTracing()) {
                assertFalse(tracing.getProviders().isEmpty(), t.getMetadata().getName());
                tracing.getProviders().forEach(p -> assertTrue(providers.contains(p.getName()),
                        "Telemetry " + t.getMetadata().getName() + " sends to " + p.getName() + ", which " + INSTALL
                                + " does not define (" + providers + ")"));
            }
        }
        assertTrue(telemetry.stream().anyMatch(t -> Repo.NAMESPACE.equals(t.getMetadata().getNamespace())),
                "a Telemetry for the meshshop proxies");
        Ingress.Identity gateway = Ingress.identity(mesh);
        assertTrue(telemetry.stream().anyMatch(t -> t.getSpec().getSelector() != null
                        && gateway.namespace().equals(t.getMetadata().getNamespace())
                        && gateway.podLabels().equals(t.getSpec().getSelector().getMatchLabels())),
                mesh.source() + ": a Telemetry for the ingress gateway, where traces start, beside it in " + gateway.namespace());
        for (String file : List.of(INSTALL, PRODUCTION_INSTALL)) {
            Set<String> named = new TreeSet<>();
            install(file).spec().meshConfig().extensionProviders().forEach(p -> named.add(p.name()));
            assertEquals(providers, named, file + " defines the same providers (istioctl replaces the list whole)");
        }
    }

    /**
     * In prod the gateway, where most traces start, and the sidecars sample 1-10%; the services' parent-based
     * sampler follows a sampled parent, so the gateway's rate is what decides, and the services' own ratio (for
     * the traces they start) is no higher. dev samples everything, for the demo.
     */
    @Test
    void productionSamplesALittleAndEveryoneFollowsTheGateway() {
        for (Resources mesh : List.of(Resources.prodMesh(), Resources.prodMeshHelmChartGateway())) {
            List<Telemetry> telemetry = mesh.all(Telemetry.class);
            assertEquals(2, telemetry.size(), mesh.source() + ": the gateway's and the sidecars' Telemetry");
            for (Telemetry t : telemetry) {
                for (Tracing tracing : t.getSpec().getTracing()) {
                    double percent = tracing.getRandomSamplingPercentage();
                    assertTrue(percent >= 1 && percent <= 10, mesh.source() + ": Telemetry " + t.getMetadata().getName()
                            + " samples " + percent + "%, not 1-10%");
                }
            }
            double gateway = telemetry.stream().filter(t -> t.getSpec().getSelector() != null)
                    .flatMap(t -> t.getSpec().getTracing().stream()).mapToDouble(Tracing::getRandomSamplingPercentage).max().orElseThrow();
            Resources prod = Resources.prod();
            for (Resources.Workload w : prod.serviceWorkloads()) {
                Map<String, String> env = prod.environment(w.app());
                assertEquals("parentbased_traceidratio", env.get("OTEL_TRACES_SAMPLER"), w.toString());
                double ratio = Double.parseDouble(env.get("OTEL_TRACES_SAMPLER_ARG"));
                assertTrue(ratio * 100 <= gateway, w + ": samples " + ratio + " of its own traces, more than the gateway's " + gateway + "%");
            }
        }
    }

    /**
     * The proxies and the apps export to the same collector, so their spans land in one trace: dev to the addons'
     * Jaeger, prod to the platform's collector, each environment with its own endpoint.
     */
    @Test
    void proxiesAndServicesExportOtlpToTheSameCollectorPerEnvironment() {
        assertEquals("jaeger-collector.istio-system.svc.cluster.local", collectorOf(Resources.mesh()), "dev: the addons' Jaeger");
        assertFalse(collectorOf(Resources.prodMesh()).equals(collectorOf(Resources.mesh())), "prod sends spans elsewhere than the demo's Jaeger");
        for (Resources k8s : List.of(Resources.dev(), Resources.prod())) {
            OpenTelemetry otel = install(k8s.isProduction() ? PRODUCTION_INSTALL : INSTALL).spec().meshConfig().extensionProviders()
                    .stream().filter(p -> p.opentelemetry() != null).findFirst().orElseThrow().opentelemetry();
            assertEquals(4317, otel.port(), "OTLP over gRPC");
            for (Resources.Workload w : k8s.serviceWorkloads()) {
                URI endpoint = URI.create(k8s.environment(w.app()).get("OTEL_EXPORTER_OTLP_ENDPOINT"));
                assertEquals(otel.service(), endpoint.getHost(), w.toString());
                assertEquals(otel.port(), endpoint.getPort(), w.toString());
            }
        }
    }

    /**
     * The services' access logs are off (they cost about 15% of a simple request's CPU in the benchmark), so
     * the sidecars must log instead: one namespace-wide Telemetry (Istio honours only one without a selector
     * per namespace) sends access logs to a file provider that the installation defines.
     */
    @Test
    void sidecarsLogEveryRequestSinceTheServicesDoNot() {
        Map<String, ExtensionProvider> providers = new java.util.HashMap<>();
        install().spec().meshConfig().extensionProviders().forEach(p -> providers.put(p.name(), p));
        List<Telemetry> namespaceWide = Resources.mesh().all(Telemetry.class).stream()
                .filter(t -> Repo.NAMESPACE.equals(t.getMetadata().getNamespace()))
                .filter(t -> t.getSpec().getSelector() == null && t.getSpec().getTargetRefs().isEmpty())
                .toList();
        assertEquals(1, namespaceWide.size(), "Istio uses only the oldest selector-less Telemetry of a namespace");
        Telemetry telemetry = namespaceWide.get(0);
        assertFalse(telemetry.getSpec().getAccessLogging().isEmpty(), "access logging for the meshshop proxies");
        telemetry.getSpec().getAccessLogging().forEach(log -> {
            assertFalse(Boolean.TRUE.equals(log.getDisabled()));
            assertFalse(log.getProviders().isEmpty());
            log.getProviders().forEach(p -> {
                ExtensionProvider provider = providers.get(p.getName());
                assertTrue(provider != null && provider.envoyFileAccessLog() != null,
                        p.getName() + " is not an envoyFileAccessLog provider of " + INSTALL);
                assertEquals("/dev/stdout", provider.envoyFileAccessLog().path(), "kubectl logs reads stdout");
                LogFormat format = provider.envoyFileAccessLog().logFormat();
                assertTrue(format != null && format.labels() != null
                           && "%TRACE_ID%".equals(format.labels().get("trace_id")),
                        p.getName() + ": JSON lines carrying the trace id, so a request's log line leads to its trace");
            });
        });
        for (String service : Repo.SERVICES) {
            String yaml = Repo.read("services/" + service + "/src/main/resources/application.yaml");
            assertTrue(yaml.contains("access-log:\n  enabled: false"), service + ": the sidecar logs requests");
        }
        for (Resources k8s : List.of(Resources.dev(), Resources.prod())) {
            for (Resources.Workload w : k8s.serviceWorkloads()) {
                assertFalse("true".equalsIgnoreCase(k8s.environment(w.app()).get("ACCESS_dash_LOG_ENABLED")),
                        w + " would log every request twice");
            }
        }
    }
}
