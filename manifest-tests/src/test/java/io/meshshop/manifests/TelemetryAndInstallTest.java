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
    /** Every IstioOperator file, in the order istioctl overlays them. */
    static final List<String> INSTALL_FILES = List.of(INSTALL, JWKS_FETCH_INSTALL);

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

    record EnvoyFileAccessLog(String path) {
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

    @Test
    void tracesGoToAProviderTheInstallationDefines() {
        Set<String> providers = new TreeSet<>();
        install().spec().meshConfig().extensionProviders().forEach(p -> providers.add(p.name()));
        List<Telemetry> telemetry = Resources.mesh().all(Telemetry.class);
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
        assertTrue(telemetry.stream().anyMatch(t -> t.getSpec().getSelector() != null
                        && Map.of("istio", "ingressgateway").equals(t.getSpec().getSelector().getMatchLabels())),
                "a Telemetry for the ingress gateway, where traces start");
    }

    /** The proxies and the apps export to the same collector, so their spans land in one trace. */
    @Test
    void proxiesAndServicesExportOtlpToTheSameJaegerCollector() {
        List<ExtensionProvider> providers = install().spec().meshConfig().extensionProviders().stream()
                .filter(p -> p.opentelemetry() != null).toList();
        assertEquals(1, providers.size());
        OpenTelemetry otel = providers.get(0).opentelemetry();
        assertEquals("jaeger-collector.istio-system.svc.cluster.local", otel.service());
        assertEquals(4317, otel.port(), "OTLP over gRPC");
        for (Resources k8s : List.of(Resources.dev(), Resources.prod())) {
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
            });
        });
        for (String service : List.of("user", "order", "payment")) {
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
