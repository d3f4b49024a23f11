package io.meshshop.manifests;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each service's image: built by Maven, trained once to write its JDK 25 AOT cache, run from that cache on a
 * Java 25 runtime without a shell, as a fixed non-root UID.
 */
class DockerImageContractTest {

    private static final Pattern JAVA_VERSION = Pattern.compile("(?:java|temurin-|jdk-?|jre-?)(\\d+)");

    @Test
    void imagesAreBuiltInOneStageAndRunInAnother() {
        for (String service : Repo.SERVICES) {
            List<Dockerfiles.Stage> stages = Dockerfiles.stages(service);
            assertTrue(stages.size() >= 2, Dockerfiles.path(service) + ": a build stage and a runtime stage");
            Dockerfiles.Stage build = stages.get(0);
            assertTrue(build.from().startsWith("maven:") && javaVersion(build.from()) >= 21,
                    Dockerfiles.path(service) + ": build with Maven on JDK 21+, found " + build.from());
            assertTrue(build.all("RUN").stream().anyMatch(run -> run.contains("mvn") && run.contains("-pl services/" + service)),
                    Dockerfiles.path(service) + ": builds services/" + service);
        }
    }

    /**
     * Every stage's base image is a build argument (BUILD_IMAGE, TRAIN_IMAGE, RUNTIME_IMAGE) with the public
     * image as its default: a registry mirror, a digest pin or scripts/images.sh's locally assembled bases
     * replace them with --build-arg, the Dockerfile unchanged.
     */
    @Test
    void baseImagesAreBuildArgumentsWithPublicDefaults() {
        for (String service : Repo.SERVICES) {
            String file = Dockerfiles.path(service);
            List<Dockerfiles.Stage> stages = Dockerfiles.stages(service);
            java.util.Map<String, String> arguments = Dockerfiles.globalArguments(service);
            assertEquals("${BUILD_IMAGE} AS build", stages.get(0).declaredFrom(), file + ": the build stage's image");
            assertEquals("${TRAIN_IMAGE} AS train", stages.get(stages.size() - 2).declaredFrom(), file + ": the training stage's image");
            assertEquals("${RUNTIME_IMAGE}", Dockerfiles.runtime(service).declaredFrom(), file + ": the runtime stage's image");
            for (String argument : List.of("BUILD_IMAGE", "TRAIN_IMAGE", "RUNTIME_IMAGE")) {
                String image = arguments.get(argument);
                assertTrue(image != null && !image.isBlank() && !image.startsWith("localhost/"),
                        file + ": ARG " + argument + " defaults to a public image, found " + image);
            }
        }
    }

    /** No RUN or SHELL in the runtime stage: it has no shell to run them with, and needs none. */
    @Test
    void runtimeStageNeedsNoShell() {
        for (String service : Repo.SERVICES) {
            Dockerfiles.Stage runtime = Dockerfiles.runtime(service);
            String file = Dockerfiles.path(service);
            assertTrue(javaVersion(runtime.from()) >= 25, file + ": a Java 25+ runtime (the AOT cache), found " + runtime.from());
            assertEquals(List.of(), runtime.all("RUN"), file + ": RUN in the runtime stage");
            assertEquals(List.of(), runtime.all("SHELL"), file);
            List<String> command = entrypoint(service);
            assertTrue(command.get(0).endsWith("java") && command.containsAll(List.of("-jar", "/app/" + service + ".jar")),
                    file + ": runs the service jar, found " + command);
            // The jar, its libs/ and the cache come from the training stage, which copied them from the build:
            // the cache is only used with the very files it was trained with.
            for (String copied : List.of("/app/libs", "/app/" + service + ".jar")) {
                assertTrue(runtime.all("COPY").stream().anyMatch(c -> c.startsWith("--from=train ") && c.contains(copied)),
                        file + ": copies " + copied + " from the training stage");
            }
            Dockerfiles.Stage train = training(service);
            assertTrue(train.all("COPY").stream().anyMatch(c -> c.contains("services/" + service + "/target/libs")),
                    file + ": the jar needs its libs/ beside it");
            assertTrue(train.all("COPY").stream().anyMatch(c -> c.contains("services/" + service + "/target/" + service + ".jar")),
                    file + ": copies " + service + ".jar");
        }
    }

    /**
     * A training stage runs the service once with -XX:AOTCacheOutput, on the same JDK build as the runtime
     * (the debug variant of the runtime image) and with the same JVM options as the runtime and the
     * Deployments: otherwise the JVM ignores the cache and starts plain. The runtime starts from the cache.
     */
    @Test
    void runtimeStartsFromAnAotCacheTrainedOnTheSameJvm() {
        String deployed = Repo.read("k8s/base/runtime.env").lines()
                .filter(l -> l.startsWith("JAVA_TOOL_OPTIONS=")).findFirst()
                .map(l -> l.substring("JAVA_TOOL_OPTIONS=".length()).strip()).orElse(null);
        for (String service : Repo.SERVICES) {
            String file = Dockerfiles.path(service);
            Dockerfiles.Stage train = training(service);
            Dockerfiles.Stage runtime = Dockerfiles.runtime(service);
            String cache = "/tmp/" + service + ".aot";
            assertTrue(train.all("RUN").stream().anyMatch(r -> r.contains("-XX:AOTCacheOutput=" + cache)
                            && r.contains("-jar /app/" + service + ".jar") && r.contains("test -s " + cache)),
                    file + ": the training run writes " + cache + " and fails the build without it");
            assertEquals(image(runtime.from()), image(train.from()).replace(":debug-nonroot", ":nonroot"),
                    file + ": training runs on the runtime image's debug variant (the same JDK build)");
            assertTrue(runtime.all("COPY").contains("--from=train " + cache + " ./" + service + ".aot"),
                    file + ": the runtime stage copies the cache");
            assertTrue(entrypoint(service).contains("-XX:AOTCache=/app/" + service + ".aot"),
                    file + ": the runtime starts from the cache");
            String trained = javaToolOptions(train);
            assertEquals(trained, javaToolOptions(runtime), file + ": the same JVM options in training and runtime");
            assertEquals(deployed, trained, file + ": the JVM options of k8s/base/runtime.env");
        }
    }
    @Test
    void runtimeUserIsFixedNonRootAndNotIstios() {
        for (String service : Repo.SERVICES) {
            Dockerfiles.User user = Dockerfiles.runtimeUser(service);
            assertNotEquals(0L, user.uid(), Dockerfiles.path(service));
            assertNotEquals(PodSecurityRestrictedTest.ISTIO_PROXY_UID, user.uid(), Dockerfiles.path(service));
        }
    }

    /** The image's port default and EXPOSE match what the manifests set and the Service targets. */
    @Test
    void imagePortIsTheContractPort() {
        for (String service : Repo.SERVICES) {
            Dockerfiles.Stage runtime = Dockerfiles.runtime(service);
            String file = Dockerfiles.path(service);
            assertEquals(List.of("8080"), runtime.all("EXPOSE"), file);
            assertTrue(runtime.all("ENV").contains("SERVER_PORT=8080"), file + ": ENV SERVER_PORT=8080");
        }
    }

    /** The build context is the repository root: send no build output or VCS data, but every pom. */
    @Test
    void dockerignoreKeepsTheContextSmallButBuildable() {
        List<String> patterns = Repo.read(".dockerignore").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertTrue(patterns.contains(".git"), ".dockerignore: .git");
        assertTrue(patterns.contains("**/target"), ".dockerignore: **/target");
        for (String pattern : patterns) {
            for (String needed : List.of("pom.xml", "services/common/pom.xml", "services/user/src/main/java",
                    "manifest-tests/pom.xml")) {
                assertFalse(ignores(pattern, needed), ".dockerignore: " + pattern + " drops " + needed + ", which the build needs");
            }
        }
    }

    /** Docker's .dockerignore matching, for the plain patterns meshshop uses (*, **, literal names). */
    private static boolean ignores(String pattern, String path) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (pattern.startsWith("**/", i)) {
                regex.append("(.*/)?");
                i += 2;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return path.matches(regex + "(/.*)?");
    }

    /** The stage that writes the AOT cache: the one before the runtime stage. */
    private static Dockerfiles.Stage training(String service) {
        List<Dockerfiles.Stage> stages = Dockerfiles.stages(service);
        assertTrue(stages.size() >= 3, Dockerfiles.path(service) + ": build, training and runtime stages");
        Dockerfiles.Stage train = stages.get(stages.size() - 2);
        assertTrue(train.from().endsWith(" AS train"), Dockerfiles.path(service) + ": a stage named train before the runtime");
        return train;
    }

    private static List<String> entrypoint(String service) {
        String file = Dockerfiles.path(service);
        JsonNode entrypoint = StrictManifests.documents(file, Dockerfiles.runtime(service).last("ENTRYPOINT")).get(0);
        assertTrue(entrypoint.isArray(), file + ": ENTRYPOINT in exec form (a shell form needs /bin/sh)");
        List<String> command = new java.util.ArrayList<>();
        entrypoint.forEach(a -> command.add(a.asText()));
        return command;
    }

    /** A stage's JAVA_TOOL_OPTIONS (ENV in KEY="VALUE" form, possibly beside other variables). */
    private static String javaToolOptions(Dockerfiles.Stage stage) {
        Matcher m = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(String.join(" ", stage.all("ENV")));
        assertTrue(m.find(), "ENV JAVA_TOOL_OPTIONS in the stage FROM " + stage.from());
        return m.group(1);
    }

    /** The image of a FROM, without its AS name. */
    private static String image(String from) {
        return from.split("\\s+")[0];
    }

    private static int javaVersion(String image) {
        Matcher m = JAVA_VERSION.matcher(image);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
