package io.meshshop.order;

import java.time.Clock;

import io.meshshop.common.auth.BearerTokens;
import io.meshshop.common.db.MicrosecondClock;
import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.http.PeriodicTask;
import io.meshshop.common.http.ServerDefaults;
import io.meshshop.common.http.ServiceLauncher;
import io.meshshop.order.api.OrderHttpService;
import io.meshshop.order.api.ProductHttpService;
import io.meshshop.order.clients.PaymentClient;
import io.meshshop.order.clients.UserClient;
import io.meshshop.order.domain.Cancellation;
import io.meshshop.order.domain.Checkout;
import io.meshshop.order.domain.OrderMetrics;
import io.meshshop.order.domain.Recovery;
import io.meshshop.order.domain.Schedule;
import io.meshshop.order.domain.Settlement;
import io.meshshop.order.store.OrderStore;
import io.meshshop.order.store.ProductStore;

import io.helidon.config.Config;
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
        ServerDefaults.Infrastructure infrastructure = ServerDefaults.infrastructure(config, shutdown);
        Clock clock = MicrosecondClock.systemUTC();
        Schedule schedule = Schedule.from(config.get("recovery"));
        OrderMetrics metrics = OrderMetrics.meters();
        ProductStore products = new ProductStore(infrastructure.db());
        OrderStore orders = new OrderStore(infrastructure.db());
        UserClient users = UserClient.create(config.get("user.service"));
        PaymentClient payments = PaymentClient.create(config.get("payment.service"));
        Settlement settlement = new Settlement(orders, clock, schedule, metrics);
        Checkout checkout = new Checkout(products, orders, settlement, clock, schedule, metrics);
        Cancellation cancellation = new Cancellation(orders, settlement, clock, schedule);
        Recovery recovery = new Recovery(orders, settlement, payments, clock, schedule, metrics);
        BearerTokens tokens = BearerTokens.withJwksUrl(config.get("auth"));
        return ServerDefaults.apply(server, config, infrastructure, shutdown)
                .routing(routing -> {
                    ServerDefaults.routing(routing);
                    routing.register("/api/products", new ProductHttpService(products));
                    routing.register("/api/orders", new OrderHttpService(checkout, cancellation, orders, users,
                            payments, tokens));
                    // Recovery settles this server's orders: it runs exactly while the server runs.
                    if (schedule.enabled()) {
                        routing.addFeature(PeriodicTask.every("order-recovery", schedule.interval(), recovery::pass));
                    }
                });
    }
}
