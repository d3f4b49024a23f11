package io.meshshop.reliability.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One instance of a service as its own process ({@code java -jar NAME.jar}), with the cluster's JVM options
 * and a clean environment plus what the suite sets. {@link #sigterm()} and {@link #kill9()} are the two
 * ends a pod meets; {@link #restart()} starts the same instance again on the same port and database.
 *
 * <p>Every process started here is stopped by {@link #stopAll()} and, should the harness itself die, by a
 * shutdown hook; nothing is found or killed by name.
 */
public final class ServiceProcess {

    private static final Set<ServiceProcess> RUNNING = ConcurrentHashMap.newKeySet();
    /** Exits nobody here asked for: a crash, or a signal from outside the suite. */
    private static final List<String> UNEXPECTED_EXITS = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ServiceProcess::stopAll, "stop-services"));
    }

    private final String service;
    private final String instance;
    private final int port;
    private final Map<String, String> env;
    private final Path logDir;
    private volatile Process process;
    private volatile boolean exitExpected;
    private int generation;

    private ServiceProcess(String service, String instance, int port, Map<String, String> env, Path logDir) {
        this.service = service;
        this.instance = instance;
        this.port = port;
        this.env = env;
        this.logDir = logDir;
    }

    /**
     * Starts {@code service} as {@code instance} on a free port and waits until it is ready.
     *
     * @param env DB_URL and the like; SERVER_PORT and SERVER_HOST are set here
     */
    public static ServiceProcess start(String service, String instance, Map<String, String> env, Path logDir) {
        ServiceProcess process = new ServiceProcess(service, instance, Repo.freePort(), new LinkedHashMap<>(env), logDir);
        process.launch();
        return process;
    }

    private synchronized void launch() {
        generation++;
        List<String> command = new ArrayList<>();
        command.add(Repo.java());
        command.addAll(Repo.serviceJvmOptions());
        command.add("-jar");
        command.add(Repo.serviceJar(service).toString());
        Path log = logDir.resolve(instance + (generation > 1 ? "-" + generation : "") + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(logDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        // A clean environment: an inherited DB_URL, OTEL_* or JAVA_TOOL_OPTIONS would change what is measured.
        String path = environment.get("PATH");
        environment.clear();
        environment.put("PATH", path == null ? "/usr/bin:/bin" : path);
        environment.put("TZ", "UTC");
        environment.put("SERVER_PORT", String.valueOf(port));
        environment.put("SERVER_HOST", "127.0.0.1");
        environment.putAll(env);
        // RELIABILITY_SERVICE_ENV="DB_POOL_TIMEOUT=PT0.5S,..." tries a configuration change on every instance.
        String extra = System.getenv("RELIABILITY_SERVICE_ENV");
        if (extra != null && !extra.isBlank()) {
            for (String pair : extra.split(",")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    environment.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
                }
            }
        }
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + instance, e);
        }
        exitExpected = false;
        Process started = process;
        started.onExit().thenAccept(exited -> {
            if (!exitExpected && started == process) {
                int code = exited.exitValue();
                UNEXPECTED_EXITS.add(instance + " exited by itself with " + code
                                     + (code > 128 ? " (signal " + (code - 128) + ")" : "") + " at " + java.time.Instant.now());
            }
        });
        RUNNING.add(this);
        try {
            awaitReady(Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            kill9();
            throw e;
        }
    }

    /** Starts the instance again (same port, same environment) after it exited or was killed. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException(instance + " is still running");
        }
        launch();
    }

    public String service() {
        return service;
    }

    public String instance() {
        return instance;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM, as Kubernetes sends when it deletes the pod. */
    public void sigterm() {
        exitExpected = true;
        process.destroy();
    }

    /** SIGKILL: no shutdown hook, no drain, nothing flushed. */
    public void kill9() {
        exitExpected = true;
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(this);
    }

    /** Waits for the process to exit; true if it did within {@code timeout}. */
    public boolean awaitExit(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                RUNNING.remove(this);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM, then SIGKILL if it has not exited within the app's own shutdown time (drain + grace). */
    public void stop() {
        exitExpected = true;
        if (!process.isAlive()) {
            RUNNING.remove(this);
            return;
        }
        sigterm();
        if (!awaitExit(Duration.ofSeconds(20))) {
            kill9();
        }
    }

    /**
     * The HTTP status of GET /observe/health/ready as the kubelet sees it: -1 when the instance does not
     * answer within 1 s (the probe's default timeoutSeconds, which k8s/ does not change), a failure too.
     */
    public int readiness() {
        return status("/observe/health/ready");
    }

    public int liveness() {
        return status("/observe/health/live");
    }

    private int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(1)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(instance + " exited with " + process.exitValue()
                                                + " during start-up; see " + logDir);
            }
            if (readiness() == 200) {
                return;
            }
            sleep(200);
        }
        throw new IllegalStateException(instance + " was not ready within " + timeout.toSeconds() + " s; see " + logDir);
    }

    /** Resident memory in KiB (VmRSS), or -1 once the process is gone. */
    public long rssKb() {
        return procStatus("VmRSS:");
    }

    /** OS threads of the process (virtual threads are not counted: they are not OS threads). */
    public long threads() {
        return procStatus("Threads:");
    }

    /** Open file descriptors (sockets, jars, pipes), or -1 once the process is gone. */
    public long fds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
            return fds.count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"),
                    StandardCharsets.UTF_8)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Lines of this instance's logs (all generations) that contain {@code text}. */
    public long logLinesContaining(String text) {
        long count = 0;
        for (int g = 1; g <= generation; g++) {
            Path log = logDir.resolve(instance + (g > 1 ? "-" + g : "") + ".log");
            try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                count += lines.filter(line -> line.contains(text)).count();
            } catch (IOException | UncheckedIOException e) {
                // A log that is not there has no lines.
            }
        }
        return count;
    }

    /** Stops every process this harness started that still runs. */
    public static void stopAll() {
        for (ServiceProcess process : List.copyOf(RUNNING)) {
            process.exitExpected = true;
            process.process.destroyForcibly();
        }
        RUNNING.clear();
    }

    /** Every exit since the harness started that no suite caused (and clears the list). */
    public static List<String> takeUnexpectedExits() {
        List<String> exits = List.copyOf(UNEXPECTED_EXITS);
        UNEXPECTED_EXITS.clear();
        return exits;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return instance + "@" + port;
    }
}
