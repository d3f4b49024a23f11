package io.meshshop.common.http;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.webserver.WebServer;

/**
 * SIGTERM handling for a pod behind a mesh: first report not-ready so Kubernetes and the sidecar stop
 * sending new requests, keep serving for the drain period while endpoints propagate, then stop the server
 * (which lets in-flight requests finish within its shutdown grace period) and close what the server used,
 * the database first of all ({@link #closeAfterStop}). Helidon's own shutdown hook is switched off
 * ({@code server.shutdown-hook: false}) so that it does not stop the listener before readiness has flipped
 * (docs/helidon-workarounds.md#the-shutdown-hook).
 */
public final class GracefulShutdown {

    private static final System.Logger LOG = System.getLogger(GracefulShutdown.class.getName());

    private final AtomicBoolean draining = new AtomicBoolean();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    public boolean draining() {
        return draining.get();
    }

    /**
     * Closes {@code resource} once the server has stopped, so no request still in flight loses it. Resources
     * are closed in the order they were given.
     */
    public void closeAfterStop(AutoCloseable resource) {
        resources.add(resource);
    }

    /** Registers the SIGTERM hook; {@link ServiceLauncher#launch} calls it for every service. */
    public void install(WebServer server, Duration drain) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            draining.set(true);
            LOG.log(System.Logger.Level.INFO, "Shutdown: not ready, draining for " + drain.toMillis() + " ms");
            try {
                Thread.sleep(drain);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.stop();
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "Close failed during shutdown", e);
                }
            }
            LOG.log(System.Logger.Level.INFO, "Shutdown complete");
        }, "graceful-shutdown"));
    }
}
