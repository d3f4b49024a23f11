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

/** Each service's image: built by Maven, run on a Java 21+ runtime without a shell, as a fixed non-root UID. */
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

    /** No RUN or SHELL in the runtime stage: it has no shell to run them with, and needs none. */
    @Test
    void runtimeStageNeedsNoShell() {
        for (String service : Repo.SERVICES) {
            Dockerfiles.Stage runtime = Dockerfiles.runtime(service);
            String file = Dockerfiles.path(service);
            assertTrue(javaVersion(runtime.from()) >= 21, file + ": a Java 21+ runtime, found " + runtime.from());
            assertEquals(List.of(), runtime.all("RUN"), file + ": RUN in the runtime stage");
            assertEquals(List.of(), runtime.all("SHELL"), file);
            JsonNode entrypoint = StrictManifests.documents(file, runtime.last("ENTRYPOINT")).get(0);
            assertTrue(entrypoint.isArray(), file + ": ENTRYPOINT in exec form (a shell form needs /bin/sh)");
            List<String> command = new java.util.ArrayList<>();
            entrypoint.forEach(a -> command.add(a.asText()));
            assertTrue(command.get(0).endsWith("java") && command.containsAll(List.of("-jar", "/app/" + service + ".jar")),
                    file + ": runs the service jar, found " + command);
            assertTrue(runtime.all("COPY").stream().anyMatch(c -> c.contains("services/" + service + "/target/libs")),
                    file + ": the jar needs its libs/ beside it");
            assertTrue(runtime.all("COPY").stream().anyMatch(c -> c.contains("services/" + service + "/target/" + service + ".jar")),
                    file + ": copies " + service + ".jar");
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

    private static int javaVersion(String image) {
        Matcher m = JAVA_VERSION.matcher(image);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
