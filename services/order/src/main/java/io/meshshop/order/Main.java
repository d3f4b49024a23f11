package io.meshshop.order;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;

import io.meshshop.common.auth.BearerTokens;
import io.meshshop.common.db.Databases;
import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.http.ServiceLauncher;
import io.meshshop.common.http.ServerDefaults;
import io.meshshop.common.observe.Observability;
import io.meshshop.order.api.OrderHttpService;
import io.meshshop.order.api.ProductHttpService;
import io.meshshop.order.clients.PaymentClient;
import io.meshshop.order.clients.UserClient;
import io.meshshop.order.domain.Cancellation;
import io.meshshop.order.domain.Checkout;
import io.meshshop.order.domain.Recovery;
import io.meshshop.order.domain.Schedule;
import io.meshshop.order.domain.Settlement;
import io.meshshop.order.store.OrderStore;
import io.meshshop.order.store.ProductStore;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;
import io.helidon.tracing.Tracer;
import io.helidon.webserver.WebServerConfig;

/** The order service: the catalogue, and orders settled with user and payment across the mesh. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceLauncher.launch("order", "/api/orders", Main::setupServer);
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
        Clock clock = Clock.systemUTC();
        Schedule schedule = Schedule.from(config.get("recovery"));
        ProductStore products = new ProductStore(db);
        OrderStore orders = new OrderStore(db);
        UserClient users = UserClient.create(config.get("user.service"));
        PaymentClient payments = PaymentClient.create(config.get("payment.service"));
        Settlement settlement = new Settlement(orders, payments, clock, schedule);
        Checkout checkout = new Checkout(products, orders, users, settlement, clock, schedule);
        Cancellation cancellation = new Cancellation(orders, settlement, clock, schedule);
        Recovery recovery = new Recovery(orders, settlement, clock, schedule);
        BearerTokens tokens = BearerTokens.withJwksUrl(config.get("auth"));
        return ServerDefaults.apply(server, config, db, tracer, shutdown)
                .routing(routing -> {
                    ServerDefaults.routing(routing);
                    routing.register("/api/products", new ProductHttpService(products));
                    routing.register("/api/orders", new OrderHttpService(checkout, cancellation, orders, recovery,
                            tokens));
                });
    }
}
