package io.meshshop.manifests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/kind-up.sh cannot run here (no Docker engine): check that it is valid bash (and shellcheck-clean
 * where shellcheck is installed) and that it applies what this repository has, in the documented order.
 */
class KindScriptTest {

    private static final List<String> SCRIPTS = List.of("scripts/kind-up.sh", "scripts/kind-down.sh");

    @Test
    void scriptsAreValidBash() throws Exception {
        for (String script : SCRIPTS) {
            Result r = run("bash", "-n", Repo.path(script).toString());
            assertEquals(0, r.exit(), script + ": " + r.output());
            assertTrue(Files.isExecutable(Repo.path(script)), script + " should be executable");
        }
    }

    @Test
    void scriptsAreShellcheckCleanWhereShellcheckIsInstalled() throws Exception {
        if (!isOnPath("shellcheck")) {
            System.out.println("shellcheck is not installed: only bash -n checked the scripts");
            return;
        }
        for (String script : SCRIPTS) {
            Result r = run("shellcheck", Repo.path(script).toString());
            assertEquals(0, r.exit(), script + ":\n" + r.output());
        }
    }

    /**
     * observability/ after the addons, then the workloads, then the mesh resources (mesh/, or its Gateway API
     * variant with INGRESS=gateway-api), each a kustomization that exists; Istio with CNI from the install files.
     */
    @Test
    void appliesObservabilityTheDevOverlayThenTheMesh() {
        String script = Repo.read("scripts/kind-up.sh");
        List<String> applied = new ArrayList<>();
        Matcher m = Pattern.compile("kubectl apply -k ([^\\s)]+)").matcher(script);
        while (m.find()) {
            applied.add(m.group(1).replaceAll("/$", ""));
        }
        assertEquals(List.of("observability", Kustomize.DEV, "\"$MESH_DIR\""), applied);
        List<String> meshDirs = new ArrayList<>();
        Matcher dirs = Pattern.compile("(?m)^\\s*MESH_DIR=(\\S+)$").matcher(script);
        while (dirs.find()) {
            meshDirs.add(dirs.group(1));
        }
        assertEquals(List.of(Kustomize.MESH, Kustomize.DEV_MESH_GATEWAY_API), meshDirs, "the ingress variants kind-up.sh applies");
        for (String dir : List.of("observability", Kustomize.DEV, Kustomize.MESH, Kustomize.DEV_MESH_GATEWAY_API)) {
            assertTrue(Files.isRegularFile(Repo.path(dir).resolve("kustomization.yaml")), "kind-up.sh applies " + dir);
        }
        assertTrue(script.indexOf("samples/addons/$addon.yaml") < script.indexOf("kubectl apply -k observability/"),
                "observability/ replaces the addons' ConfigMaps, so it comes after them");
        assertTrue(script.contains("install -y -f " + TelemetryAndInstallTest.INSTALL + " -f " + TelemetryAndInstallTest.JWKS_FETCH_INSTALL),
                "installs Istio with CNI from the install file, overlaid with the proxies' fetch of the signing keys");
    }

    /** Running it twice changes nothing: the Grafana patch is applied only when the Deployment lacks its volume. */
    @Test
    void theGrafanaPatchIsAppliedOnce() {
        String script = Repo.read("scripts/kind-up.sh");
        String patch = "--patch-file observability/cluster/grafana-deployment-patch.json";
        int applied = script.indexOf(patch);
        assertTrue(applied > 0, "kind-up.sh patches Grafana's Deployment with observability's patch");
        String before = script.substring(Math.max(0, script.lastIndexOf("if ", applied)), applied);
        assertTrue(before.contains("grep -qx dashboards-meshshop") && before.contains("if !"),
                "the patch (which appends to lists) runs only when the dashboards volume is missing: " + before);
        assertTrue(Repo.read("observability/cluster/grafana-deployment-patch.json").contains("\"name\": \"dashboards-meshshop\""),
                "the volume the guard looks for is the one the patch adds");
    }

    /** The autoscalers need the metrics API: kind-up.sh installs a metrics server that accepts kind's kubelets. */
    @Test
    void installsAMetricsServerSoAutoscalingHappens() {
        String script = Repo.read("scripts/kind-up.sh");
        assertTrue(script.contains("metrics-server/releases/download/$METRICS_SERVER_VERSION/components.yaml"), "installs metrics-server");
        assertTrue(script.contains("--kubelet-insecure-tls"), "kind's kubelets have self-signed certificates");
        assertTrue(script.contains("rollout status deployment/metrics-server"), "waits for it");
    }

    /**
     * The dev overlay has no signing-key Secret (no private key is committed): kind-up.sh makes one with the user
     * service's own tool, before the overlay starts the user pods, and only when the cluster has none yet.
     */
    @Test
    void createsTheSigningKeySecretBeforeTheDevOverlay() {
        String script = Repo.read("scripts/kind-up.sh");
        int namespace = script.indexOf("kubectl apply -f k8s/base/namespace.yaml");
        int exists = script.indexOf("kubectl -n meshshop get secret user-signing-keys");
        int generate = script.indexOf("java -cp services/user/target/user.jar io.meshshop.user.auth.SigningKeyTool new \"$KEYS_DIR/jwks.json\"");
        int create = script.indexOf("kubectl -n meshshop create secret generic user-signing-keys --from-file=jwks.json=\"$KEYS_DIR/jwks.json\"");
        int removed = script.indexOf("rm -rf \"$KEYS_DIR\"", create);
        int overlay = script.indexOf("kubectl apply -k " + Kustomize.DEV);
        assertTrue(namespace >= 0, "kind-up.sh creates the namespace before the Secret");
        assertTrue(exists >= 0, "kind-up.sh keeps an existing Secret (new keys would invalidate every token)");
        assertTrue(generate >= 0, "kind-up.sh generates the keys with the user jar's SigningKeyTool");
        assertTrue(create >= 0, "kind-up.sh creates the Secret user-signing-keys with key jwks.json");
        assertTrue(removed >= 0, "kind-up.sh deletes the generated private keys after creating the Secret");
        assertTrue(namespace < exists && exists < generate && generate < create && create < overlay,
                "namespace, then the Secret (if missing), then the dev overlay");
        assertTrue(script.contains("KEYS_DIR=\"$(mktemp -d)\""), "the private keys go to a fresh private directory");
        assertTrue(script.contains("trap cleanup EXIT"), "the private keys are removed on every exit");
    }

    /** It builds every service's image with the tag the dev overlay runs. */
    @Test
    void buildsAndLoadsTheImagesTheDevOverlayRuns() {
        String script = Repo.read("scripts/kind-up.sh");
        Matcher tag = Pattern.compile("(?m)^TAG=(\\S+)$").matcher(script);
        assertTrue(tag.find(), "kind-up.sh sets TAG");
        JsonNode kustomization = StrictManifests.documents(Kustomize.DEV, Repo.read(Kustomize.DEV + "/kustomization.yaml")).get(0);
        for (JsonNode image : kustomization.path("images")) {
            assertEquals(tag.group(1), image.path("newTag").asText(), image.path("name").asText());
        }
        assertTrue(script.contains("SERVICES=(" + String.join(" ", Repo.SERVICES) + ")"), "kind-up.sh builds every service");
        assertTrue(script.contains("docker build -f \"services/$service/Dockerfile\""), "kind-up.sh builds with the services' Dockerfiles");
        assertTrue(script.contains("kind load docker-image"), "kind-up.sh loads the images into kind");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), output);
    }

    private static boolean isOnPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
