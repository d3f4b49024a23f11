package io.meshshop.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One meshshop service as a separate process ({@code java -jar services/NAME/target/NAME.jar}), as it runs
 * in a container: its own JVM, so its own global tracer (Helidon 4.1.2 keeps the first tracer of a JVM
 * as the global one, so several services in one JVM could not each export their own spans).
 *
 * <p>Listens on 127.0.0.1 only, keeps its H2 database and log in a scratch directory, and is stopped by
 * {@link #close()} ({@link Processes} also stops it if the test JVM ends first).
 */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the service and waits until {@code /observe/health/ready} answers 200.
     *
     * @param extraEnv OTEL_*, USER_SERVICE_URL, ...; added to a clean environment (no inherited OTEL_* or
     *                 JAVA_TOOL_OPTIONS, which would change what the test observes)
     */
    static ServiceProcess start(String name, Map<String, String> extraEnv) {
        return start(name, extraEnv, List.of());
    }

    /** As {@link #start(String, Map)}, with JVM options before {@code -jar} (a logging configuration, say). */
    static ServiceProcess start(String name, Map<String, String> extraEnv, List<String> jvmOptions) {
        Path jar = Repo.serviceJar(name);
        Path dir = Repo.scratch(name);
        int port = Repo.freePort();
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(javaCommand(), "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("OTEL_") || key.equals("JAVA_TOOL_OPTIONS") || key.startsWith("AUTH_")
                || key.startsWith("DB_") || key.startsWith("SERVER_") || key.endsWith("_SERVICE_URL"));
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("SERVER_HOST", "127.0.0.1");
        // A fresh H2 file per run: nothing left from an earlier run can change the answers.
        env.put("DB_URL", "jdbc:h2:file:" + dir.resolve("data").resolve(name) + ";DB_CLOSE_ON_EXIT=FALSE");
        // No drain on SIGTERM: nothing routes to these processes but the test.
        env.put("SHUTDOWN_DRAIN", "PT0S");
        if (name.equals("user")) {
            // Customers sign in: user signs their tokens with a development key it creates in its scratch
            // directory on start (auth.generate-signing-keys, as in run-local.sh; never in the cluster).
            env.put("AUTH_SIGNING_dash_KEYS", dir.resolve("signing-keys.json").toString());
            env.put("AUTH_GENERATE_dash_SIGNING_dash_KEYS", "true");
        }
        env.putAll(extraEnv);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + name, e);
        }
        Processes.track(process);
        ServiceProcess service = new ServiceProcess(name, port, process, log);
        try {
            service.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            service.close();
            throw e;
        }
        return service;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    /** http://127.0.0.1:PORT, no trailing slash. */
    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI ready = URI.create(baseUrl() + "/observe/health/ready");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail(name + " exited with " + process.exitValue() + " during start-up; its log:\n" + logTail());
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2))
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("Interrupted while waiting for " + name);
            }
            Processes.sleep(200);
        }
        fail(name + " was not ready within " + timeout.toSeconds() + " s; its log:\n" + logTail());
    }

    /** Everything the process wrote to stdout and stderr so far. */
    String logText() {
        try {
            return java.nio.file.Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the log of " + name, e);
        }
    }

    /** The environment order needs to check the tokens this user service signs. */
    Map<String, String> jwksFor() {
        return Map.of("AUTH_JWKS_URL", baseUrl() + "/.well-known/jwks.json");
    }

    /** The last lines of the service's output, for failure messages. */
    String logTail() {
        return Processes.tail(log, 40);
    }

    @Override
    public void close() {
        Processes.stop(process);
    }

    /** The java of this test JVM, so the services run on the JDK the build uses. */
    private static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Stops several services in reverse start order; every one is attempted even if one fails. */
    static void closeAll(List<ServiceProcess> services) {
        List<ServiceProcess> reversed = new ArrayList<>(services);
        java.util.Collections.reverse(reversed);
        for (ServiceProcess service : reversed) {
            service.close();
        }
    }

    /** OTLP export settings for a service that sends every span to {@code endpoint} quickly. */
    static Map<String, String> otlpTo(String endpoint) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
        env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        env.put("OTEL_TRACES_SAMPLER", "always_on");
        env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
        return env;
    }
}
