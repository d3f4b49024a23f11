package io.meshshop.systemtests;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus (Debian's package: /usr/bin/prometheus) on a free 127.0.0.1 port with a temporary
 * storage directory, run with a configuration derived from the repository's
 * observability/prometheus/prometheus-local.yml and its rule files. Stopped by {@link #close()}.
 */
final class PrometheusServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The prometheus binary: $PROMETHEUS, else /usr/bin/prometheus; a clear failure when it is missing. */
    static Path binary() {
        String fromEnv = System.getenv("PROMETHEUS");
        Path binary = fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : Path.of("/usr/bin/prometheus");
        if (!Files.isExecutable(binary)) {
            fail(binary + " is missing: this test runs a real Prometheus. Install Debian's package"
                    + " (apt-get install -y prometheus; scripts/test.sh and .ci/run do) or set PROMETHEUS to the binary.");
        }
        return binary;
    }

    /**
     * Starts Prometheus with the local configuration, its targets replaced by {@code targets}
     * ("localhost:8081" to "127.0.0.1:PORT", ...), scraping and evaluating rules every second.
     */
    static PrometheusServer startLocalConfig(Map<String, String> targets) {
        Path binary = binary();
        Path dir = Repo.scratch("prometheus");
        int port = Repo.freePort();
        String config;
        try {
            config = Files.readString(Repo.path("observability/prometheus/prometheus-local.yml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config = replaceOnce(config, "scrape_interval: 5s", "scrape_interval: 1s");
        config = replaceOnce(config, "scrape_timeout: 4s", "scrape_timeout: 1s");
        config = replaceOnce(config, "evaluation_interval: 5s", "evaluation_interval: 1s");
        config = replaceOnce(config, "\"localhost:9090\"", "\"127.0.0.1:" + port + "\"");
        // rule_files are relative to the config file, which is written elsewhere here.
        config = config.replace("  - rules/", "  - " + Repo.path("observability/prometheus/rules") + "/");
        for (Map.Entry<String, String> target : targets.entrySet()) {
            config = replaceOnce(config, "\"" + target.getKey() + "\"", "\"" + target.getValue() + "\"");
        }
        Path configFile = dir.resolve("prometheus.yml");
        Path log = dir.resolve("prometheus.log");
        try {
            Files.writeString(configFile, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder builder = new ProcessBuilder(binary.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + binary, e);
        }
        Processes.track(process);
        PrometheusServer server = new PrometheusServer(process, port, log);
        try {
            server.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static String replaceOnce(String text, String from, String to) {
        if (!text.contains(from)) {
            fail("prometheus-local.yml no longer contains " + from + "; update PrometheusServer");
        }
        return text.replace(from, to);
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("prometheus exited with " + process.exitValue() + "; its log:\n" + logTail());
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // Not listening yet.
            }
            Processes.sleep(200);
        }
        fail("prometheus was not ready within " + timeout.toSeconds() + " s; its log:\n" + logTail());
    }

    /** GET /api/v1/query at the current time; the whole JSON answer (status, data or error). */
    JsonObject query(String promql) {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return json(response.body());
    }

    /** GET /api/v1/rules. */
    JsonObject rules() {
        return json(get("/api/v1/rules").body());
    }

    /** GET /api/v1/targets. */
    JsonObject targets() {
        return json(get("/api/v1/targets").body());
    }

    private HttpResponse<String> get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    private static JsonObject json(String body) {
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            return reader.readObject();
        }
    }

    String logTail() {
        return Processes.tail(log, 30);
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
