package io.meshshop.manifests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kustomization builds with kubectl, and every manifest file is part of some build. */
class KustomizeBuildTest {

    @Test
    void kubectlIsInstalled() {
        assertTrue(Files.isExecutable(Kustomize.kubectl()));
    }

    @Test
    void everyKustomizationBuilds() {
        for (String dir : List.of(Kustomize.BASE, Kustomize.DEV, Kustomize.PROD, Kustomize.MESH, Kustomize.DEV_MESH_GATEWAY_API,
                Kustomize.DEV_MESH_HELM_CHART_GATEWAY, Kustomize.PROD_MESH)) {
            assertFalse(Kustomize.render(dir).isBlank(), dir + " renders nothing");
        }
        assertFalse(Kustomize.renderWithOptionalComponents(Kustomize.DEV, "k8s").isBlank());
        assertFalse(Kustomize.renderWithOptionalComponents(Kustomize.MESH).isBlank());
    }

    /**
     * A manifest that no kustomization lists is never applied: a new mesh/*.yaml forgotten in
     * mesh/kustomization.yaml would silently do nothing. The commented-out optional components count.
     */
    @Test
    void everyManifestFileIsPartOfABuild() {
        Set<String> used = new TreeSet<>();
        List<String> kustomizations = new ArrayList<>();
        for (String dir : List.of("k8s", "mesh")) {
            for (String file : Repo.yamlFilesUnder(dir)) {
                if (file.endsWith("/kustomization.yaml")) {
                    kustomizations.add(file);
                    used.add(file);
                    used.addAll(filesReferencedBy(file));
                }
            }
        }
        // Not for kubectl: istioctl installs Istio with these, overlaid (scripts/kind-up.sh, docs/deploy.md).
        assertEquals(new TreeSet<>(TelemetryAndInstallTest.INSTALL_FILES), new TreeSet<>(Repo.yamlFilesUnder("mesh/install")),
                "the IstioOperator files the tests know");
        for (String istioInstall : TelemetryAndInstallTest.DEV_INSTALL_FILES) {
            assertTrue(Repo.read("scripts/kind-up.sh").contains(istioInstall), "kind-up.sh should install Istio with " + istioInstall);
            used.add(istioInstall);
        }
        assertTrue(Repo.read("docs/deploy.md").contains(TelemetryAndInstallTest.PRODUCTION_INSTALL),
                "docs/deploy.md should say when to install with " + TelemetryAndInstallTest.PRODUCTION_INSTALL);
        used.add(TelemetryAndInstallTest.PRODUCTION_INSTALL);

        Set<String> unused = new TreeSet<>();
        for (String dir : List.of("k8s", "mesh")) {
            unused.addAll(manifestFilesUnder(dir));
        }
        unused.removeAll(used);
        assertEquals(Set.of(), unused, "files no kustomization uses (kustomizations: " + kustomizations + ")");
    }

    private static Set<String> filesReferencedBy(String kustomizationFile) {
        Path dir = Repo.path(kustomizationFile).getParent();
        String text = Kustomize.enableOptionalComponents(Repo.read(kustomizationFile));
        JsonNode k = StrictManifests.documents(kustomizationFile, text).get(0);
        List<String> references = new ArrayList<>();
        k.path("resources").forEach(r -> references.add(r.asText()));
        k.path("components").forEach(r -> references.add(r.asText()));
        k.path("patches").forEach(p -> {
            if (p.has("path")) {
                references.add(p.path("path").asText());
            }
        });
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            k.path(generator).forEach(g -> {
                g.path("envs").forEach(e -> references.add(e.asText()));
                g.path("files").forEach(f -> references.add(f.asText().replaceFirst("^[^=]+=", "")));
            });
        }
        Set<String> files = new TreeSet<>();
        for (String reference : references) {
            Path resolved = dir.resolve(reference).normalize();
            if (Files.isRegularFile(resolved)) {
                files.add(Repo.root().relativize(resolved).toString().replace('\\', '/'));
            }
        }
        return files;
    }

    private static Set<String> manifestFilesUnder(String dir) {
        Set<String> files = new TreeSet<>(Repo.yamlFilesUnder(dir));
        try (Stream<Path> env = Files.walk(Repo.path(dir))) {
            env.filter(p -> p.toString().endsWith(".env"))
                    .forEach(p -> files.add(Repo.root().relativize(p).toString().replace('\\', '/')));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }
}
