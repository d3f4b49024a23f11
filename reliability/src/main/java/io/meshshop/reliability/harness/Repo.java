package io.meshshop.reliability.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where things are: the repository root, the service jars, this run's scratch directory.
 *
 * <p>The suites run a snapshot of each service's jar and libs, copied once per run into
 * {@code reliability/target/jars/}: other engineers rebuild {@code services/*}/target while suites run, and
 * a JVM whose jar is rewritten under it fails in ways that look like service bugs.
 */
public final class Repo {

    private static Path root;

    private Repo() {
    }

    /** {@code -Dmeshshop.root}, {@code MESHSHOP_ROOT}, or the nearest parent of the working directory with mesh/. */
    public static synchronized Path root() {
        if (root == null) {
            String configured = System.getProperty("meshshop.root", System.getenv("MESHSHOP_ROOT"));
            Path candidate = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
            while (candidate != null && !Files.isDirectory(candidate.resolve("mesh"))) {
                candidate = candidate.getParent();
            }
            if (candidate == null) {
                throw new IllegalStateException("Cannot find the meshshop repository: set MESHSHOP_ROOT");
            }
            root = candidate.toAbsolutePath().normalize();
        }
        return root;
    }

    /** reliability/target/WHAT, created. */
    public static Path work(String what) {
        Path dir = root().resolve("reliability").resolve("target").resolve(what);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * Copies {@code services/NAME/target/NAME.jar} and its libs into this run's snapshot (once) and answers
     * the copied jar.
     */
    public static synchronized Path serviceJar(String service) {
        Path snapshot = work("jars").resolve(service);
        // Not NAME.jar: a "pkill -f user.jar" meant for someone else's service must not hit the suites' own.
        Path jar = snapshot.resolve(service + "-rel.jar");
        if (Files.exists(jar)) {
            return jar;
        }
        // RELIABILITY_SERVICES_ROOT runs the suites against another build of the services (a proposed fix).
        String otherServices = System.getenv("RELIABILITY_SERVICES_ROOT");
        Path services = otherServices == null || otherServices.isBlank() ? root().resolve("services") : Path.of(otherServices);
        Path built = services.resolve(service).resolve("target");
        if (!Files.isRegularFile(built.resolve(service + ".jar")) || !Files.isDirectory(built.resolve("libs"))) {
            throw new IllegalStateException("services/" + service + "/target/" + service + ".jar is not built; run"
                    + " mvn -B -q package -DskipTests at the repository root");
        }
        try {
            Files.createDirectories(snapshot.resolve("libs"));
            try (Stream<Path> libs = Files.list(built.resolve("libs"))) {
                for (Path lib : libs.toList()) {
                    Files.copy(lib, snapshot.resolve("libs").resolve(lib.getFileName()),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            // The jar last: its presence marks a complete snapshot.
            Files.copy(built.resolve(service + ".jar"), jar.resolveSibling(service + ".part"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(jar.resolveSibling(service + ".part"), jar, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not snapshot the " + service + " jar", e);
        }
        return jar;
    }

    /** Forgets the snapshots, so the next run copies the jars as they are built now. */
    public static void clearSnapshots() {
        Path jars = root().resolve("reliability").resolve("target").resolve("jars");
        if (!Files.isDirectory(jars)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(jars)) {
            List<Path> paths = new ArrayList<>(walk.toList());
            java.util.Collections.reverse(paths);
            for (Path path : paths) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java that runs this harness (JDK 25 through run.sh), used for the services too. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The JVM options the services get in the cluster ({@code JAVA_TOOL_OPTIONS} in k8s/base/runtime.env), so
     * that memory and thread figures are those of a pod; passed on the command line rather than in the
     * environment, so the JVM does not print "Picked up JAVA_TOOL_OPTIONS" into every log.
     */
    public static List<String> serviceJvmOptions() {
        Path env = root().resolve("k8s").resolve("base").resolve("runtime.env");
        try {
            for (String line : Files.readAllLines(env)) {
                if (line.startsWith("JAVA_TOOL_OPTIONS=")) {
                    return Arrays.asList(line.substring("JAVA_TOOL_OPTIONS=".length()).trim().split("\\s+"));
                }
            }
        } catch (IOException e) {
            // Falls through to the same options written here.
        }
        return List.of("-Xms64m", "-Xmx128m", "-XX:+UseSerialGC", "-Xss512k", "-XX:MaxMetaspaceSize=96m");
    }

    /** A port nobody listens on now (the usual small race is acceptable on a test machine). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
