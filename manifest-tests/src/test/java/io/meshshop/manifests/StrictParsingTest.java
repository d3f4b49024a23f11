package io.meshshop.manifests;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every manifest, as rendered for each overlay and as written in each mesh/ file, parses into the typed
 * Kubernetes and Istio models with no unknown field and no value lost.
 */
class StrictParsingTest {

    @Test
    void everyRenderedManifestParsesStrictly() {
        for (Resources rendered : List.of(Resources.of(Kustomize.BASE, Kustomize.render(Kustomize.BASE)),
                Resources.dev(), Resources.prod(), Resources.devWithOptional(),
                Resources.mesh(), Resources.meshWithOptional(), Resources.meshGatewayApi(), Resources.meshHelmChartGateway(),
                Resources.prodMesh(), Resources.prodMeshHelmChartGateway())) {
            assertFalse(rendered.manifests().isEmpty(), rendered.source() + " is empty");
        }
    }

    /** Also each mesh/ file on its own, as `kubectl apply -f` of one file would read it. */
    @Test
    void everyMeshFileParsesStrictly() {
        for (String file : Repo.yamlFilesUnder("mesh")) {
            String text = Repo.read(file);
            List<JsonNode> documents = StrictManifests.documents(file, text);
            if (file.endsWith("/kustomization.yaml") || file.startsWith("mesh/install/")) {
                continue; // kustomize reads kustomizations strictly itself; TelemetryAndInstallTest reads install/
            }
            if (documents.size() == 1 && documents.get(0).isArray()) {
                assertJsonPatch(file, documents.get(0));
            } else {
                assertFalse(StrictManifests.parseAll(file, text).isEmpty(), file);
            }
        }
    }

    /** A JSON patch's values are checked in the builds that apply it; its operations are checked here. */
    private static void assertJsonPatch(String file, JsonNode patch) {
        for (JsonNode op : patch) {
            Set<String> fields = new java.util.TreeSet<>();
            op.fieldNames().forEachRemaining(fields::add);
            assertTrue(Set.of("add", "replace", "remove", "test").contains(op.path("op").asText()), file + ": op " + op);
            assertTrue(op.path("path").asText().startsWith("/"), file + ": path " + op);
            fields.removeAll(Set.of("op", "path", "value"));
            assertEquals(Set.of(), fields, file + ": unknown JSON patch fields");
        }
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                mistake("a misspelt Kubernetes field", """
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: x}
                        spec:
                          selector: {matchLabels: {app: x}}
                          template:
                            metadata: {labels: {app: x}}
                            spec:
                              containers:
                              - name: x
                                image: x
                                ports: [{name: http, containerport: 8080}]
                        """),
                mistake("a number where Kubernetes wants a string", """
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: x}
                        spec:
                          selector: {matchLabels: {app: x}}
                          template:
                            metadata: {labels: {app: x}}
                            spec:
                              containers:
                              - {name: x, image: x, env: [{name: SERVER_PORT, value: 8080}]}
                        """),
                mistake("an unknown Istio enum value (the model reads it as null)", """
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: default}
                        spec:
                          mtls: {mode: STRICTT}
                        """),
                mistake("a misspelt Istio field", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: x}
                        spec:
                          host: x
                          trafficPolicy:
                            outlierDetection: {consecutive5xxErrorz: 3}
                        """),
                mistake("a misspelt field inside an Istio one-of (the model drops it)", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: x}
                        spec:
                          hosts: [x]
                          http:
                          - match: [{uri: {prefixx: /api}}]
                            route: [{destination: {host: x}}]
                        """),
                mistake("a duplicated key (YAML keeps the last one)", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: x}
                        spec:
                          hosts: [x]
                          http:
                          - route: [{destination: {host: x}}]
                            retries: {attempts: 2, retryOn: reset}
                            retries: {attempts: 3}
                        """),
                mistake("an older API version than meshshop uses", """
                        apiVersion: networking.istio.io/v1alpha3
                        kind: Gateway
                        metadata: {name: x}
                        spec: {selector: {istio: ingressgateway}}
                        """));
    }

    private static Arguments mistake(String name, String yaml) {
        return Arguments.of(Named.of(name, yaml));
    }

    @ParameterizedTest(name = "rejects {0}")
    @MethodSource("mistakes")
    void strictParsingRejects(String yaml) {
        assertThrows(AssertionError.class, () -> StrictManifests.parseAll("self-test", yaml));
    }
}
