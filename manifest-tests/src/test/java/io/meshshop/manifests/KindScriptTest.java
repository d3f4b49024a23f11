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

    /** The workloads first, then the mesh resources, each a kustomization that exists. */
    @Test
    void appliesTheDevOverlayThenTheMesh() {
        String script = Repo.read("scripts/kind-up.sh");
        List<String> applied = new ArrayList<>();
        Matcher m = Pattern.compile("kubectl apply -k (\\S+)").matcher(script);
        while (m.find()) {
            String dir = m.group(1).replaceAll("/$", "");
            assertTrue(Files.isRegularFile(Repo.path(dir).resolve("kustomization.yaml")), "kind-up.sh applies " + dir);
            applied.add(dir);
        }
        assertEquals(List.of(Kustomize.DEV, Kustomize.MESH), applied);
        assertTrue(script.contains("install -y -f " + TelemetryAndInstallTest.INSTALL + " -f " + TelemetryAndInstallTest.JWKS_FETCH_INSTALL),
                "installs Istio with CNI from the install file, overlaid with the proxies' fetch of the signing keys");
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
