package io.meshshop.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders kustomizations with the real kubectl, as a user's {@code kubectl apply -k} would, and caches
 * the output per directory so the test classes share one run each.
 */
final class Kustomize {

    static final String DEV = "k8s/overlays/dev";
    static final String PROD = "k8s/overlays/prod";
    static final String BASE = "k8s/base";
    static final String MESH = "mesh";
    /** mesh/ with the Gateway API as the ingress (an overlay outside mesh/: kustomize refuses one inside). */
    static final String DEV_MESH_GATEWAY_API = "k8s/overlays/dev/mesh-gateway-api";
    /** mesh/ for a gateway installed with Istio's Helm chart. */
    static final String DEV_MESH_HELM_CHART_GATEWAY = "k8s/overlays/dev/mesh-helm-chart-gateway";
    /** The production mesh overlay. */
    static final String PROD_MESH = "k8s/overlays/prod/mesh";
    /** Components a user may add to an overlay of mesh/ (each kustomization's comments name them). */
    static final String HELM_CHART_GATEWAY = "mesh/ingress/helm-chart-gateway";

    private static final Map<String, String> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** The kubectl the tests run: $KUBECTL, else kubectl on PATH, else /usr/bin/kubectl. */
    static Path kubectl() {
        List<Path> candidates = new ArrayList<>();
        String fromEnv = System.getenv("KUBECTL");
        if (fromEnv != null && !fromEnv.isBlank()) {
            candidates.add(Path.of(fromEnv));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, "kubectl"));
            }
        }
        candidates.add(Path.of("/usr/bin/kubectl"));
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("""
                kubectl is missing: these tests render k8s/ and mesh/ with `kubectl kustomize`, as users do.
                Install a kubectl of 1.27 or newer (kustomize v5 built in) and put it on PATH, or set KUBECTL to it.
                (Debian's kubernetes-client package is kubectl 1.20 with kustomize v2: too old for components.)""");
    }

    /** `kubectl kustomize` of a directory relative to the repository root. */
    static String render(String relativeDir) {
        return RENDERED.computeIfAbsent(relativeDir, dir -> run(Repo.path(dir)));
    }

    /**
     * Renders a copy of a kustomization with its commented-out optional components switched on, exactly as
     * a user enables them: the "# components:" block and its "#   - path" lines lose their comment mark.
     * The copy keeps the repository layout (its relative paths still resolve).
     */
    static String renderWithOptionalComponents(String relativeDir, String... alsoCopy) {
        return RENDERED.computeIfAbsent(relativeDir + "+optional", key -> {
            Path scratch = Repo.scratch(relativeDir.replace('/', '_') + "-optional");
            List<String> trees = new ArrayList<>(List.of(alsoCopy));
            trees.add(relativeDir);
            for (String tree : trees) {
                Repo.copyTree(Repo.path(tree), scratch.resolve(tree));
            }
            Path kustomization = scratch.resolve(relativeDir).resolve("kustomization.yaml");
            try {
                String original = Files.readString(kustomization);
                String enabled = enableOptionalComponents(original);
                if (enabled.equals(original)) {
                    fail(relativeDir + "/kustomization.yaml has no commented-out \"# components:\" block to enable");
                }
                Files.writeString(kustomization, enabled);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return run(scratch.resolve(relativeDir));
        });
    }

    /**
     * Renders a kustomization made for the test, as a user would write one in a directory of their own: the
     * given kustomization (a directory relative to the repository root) plus components (likewise).
     */
    static String renderComposed(String name, String resource, String... components) {
        return RENDERED.computeIfAbsent("composed:" + name, key -> {
            Path scratch = Repo.scratch("composed-" + name);
            StringBuilder k = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
            k.append("  - ").append(relative(scratch, resource)).append('\n');
            k.append("components:\n");
            for (String component : components) {
                k.append("  - ").append(relative(scratch, component)).append('\n');
            }
            try {
                Files.writeString(scratch.resolve("kustomization.yaml"), k.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return run(scratch);
        });
    }

    private static String relative(Path from, String repoPath) {
        return from.relativize(Repo.path(repoPath)).toString().replace('\\', '/');
    }

    static String enableOptionalComponents(String kustomization) {
        StringBuilder out = new StringBuilder();
        boolean inBlock = false;
        for (String line : kustomization.split("\n", -1)) {
            if (line.equals("# components:")) {
                inBlock = true;
                out.append("components:");
            } else if (inBlock && line.startsWith("#   ")) {
                out.append(line.substring(1));
            } else {
                inBlock = false;
                out.append(line);
            }
            out.append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    private static String run(Path dir) {
        Path kubectl = kubectl();
        try {
            Path errors = Files.createTempFile("kustomize", ".err");
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectError(errors.toFile())
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("kubectl kustomize " + dir + " did not finish within 60 s");
            }
            String stderr = Files.readString(errors);
            Files.delete(errors);
            if (process.exitValue() != 0) {
                fail("kubectl kustomize " + Repo.root().relativize(dir) + " failed:\n" + stderr);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
