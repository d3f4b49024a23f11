package io.meshshop.common.http;

import java.time.Duration;

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
        GracefulShutdown shutdown = new GracefulShutdown();
        WebServer server = setup.apply(WebServer.builder(), config, shutdown).build().start();
        if (!server.isRunning()) {
            throw new IllegalStateException(service + " service did not start; is its port free?");
        }
        shutdown.install(server, config.get("shutdown.drain").as(Duration.class).orElse(Duration.ofSeconds(5)));
        System.out.println(service + " service ready on http://localhost:" + server.port() + apiPath);
        return server;
    }
}
