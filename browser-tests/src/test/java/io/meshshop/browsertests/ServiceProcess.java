package io.meshshop.browsertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One service as a process of its packaged jar, on a fixed port of 127.0.0.1 and with its H2 files in a
 * folder of its own, so that it can be stopped and started again where it was (the test of a payment
 * outage restarts payment on the same port, with the same data). Processes still running when the JVM
 * ends are killed.
 */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "stop-leftover-services"));
    }

    private final String name;
    private final int port;
    private final Path dir;
    private final Map<String, String> env;
    private Process process;

    private ServiceProcess(String name, int port, Path dir, Map<String, String> env) {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.env = Map.copyOf(env);
    }

    /** Creates the service's folder under {@code work} and reserves a port; {@link #start()} runs it. */
    static ServiceProcess of(String name, Path work, Map<String, String> env) {
        try {
            return new ServiceProcess(name, freePort(), Files.createDirectories(work.resolve(name)), env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Path dir() {
        return dir;
    }

    /** Starts the jar and waits until it is ready. */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        Path jar = Repo.ROOT.resolve("services").resolve(name).resolve("target").resolve(name + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: run `mvn -B verify` at the repository root, which packages"
                                     + " the services before this module (or `mvn -B -pl browser-tests -am verify`).");
        }
        ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar",
                jar.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        Map<String, String> environment = builder.environment();
        // A clean environment: nothing inherited may change what the services do.
        environment.keySet().removeIf(key -> key.startsWith("OTEL_") || key.equals("JAVA_TOOL_OPTIONS")
                || key.startsWith("DB_") || key.startsWith("SERVER_") || key.endsWith("_SERVICE_URL")
                || key.startsWith("AUTH_") || key.startsWith("FORWARD_") || key.startsWith("ACQUIRER_")
                || key.startsWith("RECOVERY_"));
        environment.put("SERVER_PORT", String.valueOf(port));
        environment.put("SERVER_HOST", "127.0.0.1");
        environment.put("DB_URL", "jdbc:h2:file:" + dir.resolve("data").resolve(name) + ";DB_CLOSE_ON_EXIT=FALSE");
        environment.put("SHUTDOWN_DRAIN", "PT0S");
        environment.put("ACCESS_dash_LOG_ENABLED", "true");
        environment.putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + name, e);
        }
        RUNNING.add(process);
        awaitReady(Duration.ofSeconds(90));
    }

    /** SIGTERM, and SIGKILL if it has not ended within 20 s. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(process);
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    Path log() {
        return dir.resolve(name + ".log");
    }

    /** The last lines of the service's log, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " during start-up:\n" + logTail());
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for " + name, e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for " + name, e);
            }
        }
        throw new AssertionError(name + " was not ready within " + timeout.toSeconds() + " s:\n" + logTail());
    }

    /**
     * A port that was free a moment ago. Fixed ports (not 0) because the services must know each other's
     * addresses before they start, and a restarted service must come back where it was.
     */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java of this test JVM, so the services run on the JDK the build uses. */
    private static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
