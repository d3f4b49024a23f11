package io.meshshop.common.http;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/**
 * What every service's {@code main} does around its own {@code setupServer}: logging, configuration from
 * {@code application.yaml} and the environment, start, graceful shutdown on SIGTERM.
 */
public final class ServiceLauncher {

    private ServiceLauncher() {
    }

    /** A service's server set-up, shared by its {@code main} and its tests. */
    @FunctionalInterface
    public interface Setup {
        WebServerConfig.Builder apply(WebServerConfig.Builder server, Config config, GracefulShutdown shutdown);
    }

    public static WebServer launch(String service, String apiPath, Setup setup) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        // Helidon's metrics (and anything else that asks for the global config) would otherwise build a
        // second Config from the same sources on first use: at start-up that parse costs as much as the first
        // (docs/helidon-workarounds.md#a-second-config).
        Config.global(config);
        GracefulShutdown shutdown = new GracefulShutdown();
        WebServer server = setup.apply(WebServer.builder(), config, shutdown).build().start();
        if (!server.isRunning()) {
            throw new IllegalStateException(service + " service did not start; is its port free?");
        }
        shutdown.install(server, config.get("shutdown.drain").as(Duration.class).orElse(Duration.ofSeconds(5)));
        System.out.println(service + " service ready on http://localhost:" + server.port() + apiPath);
        return server;
    }

    /**
     * Runs one independent part of a server's set-up on its own thread, so that it overlaps the rest
     * (start-up is mostly one thread otherwise, and the pieces wait on the database or on class
     * initialisation). Collect the result with {@link #await}.
     */
    public static <T> CompletableFuture<T> inBackground(String name, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("startup-" + name).daemon().start(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** The result of {@link #inBackground}; a failure is rethrown as it was thrown there. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
