package io.meshshop.user;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;

import io.meshshop.common.db.Databases;
import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.http.ServiceLauncher;
import io.meshshop.common.http.ServerDefaults;
import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.common.observe.Observability;
import io.meshshop.user.api.UserHttpService;
import io.meshshop.user.domain.Users;
import io.meshshop.user.store.UserStore;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;
import io.helidon.tracing.Tracer;
import io.helidon.webserver.WebServerConfig;

/** The user service: who may place orders. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceLauncher.launch("user", "/api/users", Main::setupServer);
    }

    /** Shared by {@link #main} and the tests, so that tests run the server as it ships. */
    public static WebServerConfig.Builder setupServer(WebServerConfig.Builder server, Config config,
                                                      GracefulShutdown shutdown) {
        // The tracing SDK (exporter, HTTP client, TLS defaults) is built while the database is opened and
        // migrated: neither needs the other (DbClient and WebClient tracing look the tracer up per call).
        CompletableFuture<Tracer> tracing = ServiceLauncher.inBackground("tracing",
                () -> Observability.tracer(config.get("tracing")));
        DbClient db = Databases.open(config.get("db"));
        Tracer tracer = ServiceLauncher.await(tracing);
        Idempotency idempotency = Idempotency.create(db, config.get("idempotency"));
        UserStore store = new UserStore(db);
        Users users = new Users(store, Clock.systemUTC());
        return ServerDefaults.apply(server, config, db, tracer, shutdown)
                .routing(routing -> {
                    ServerDefaults.routing(routing);
                    routing.register("/api/users", new UserHttpService(users, store, idempotency));
                });
    }
}
