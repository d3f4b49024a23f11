package io.meshshop.payment;

import io.meshshop.common.db.MicrosecondClock;
import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.http.ServerDefaults;
import io.meshshop.common.http.ServiceLauncher;
import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.payment.api.PaymentHttpService;
import io.meshshop.payment.domain.Payments;
import io.meshshop.payment.domain.SimulatedAcquirer;
import io.meshshop.payment.store.PaymentStore;

import io.helidon.config.Config;
import io.helidon.webserver.WebServerConfig;

/** The payment service: charges orders and refunds them, at most once however often a request arrives. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceLauncher.launch("payment", "/api/payments", Main::setupServer);
    }

    /** Shared by {@link #main} and the tests, so that tests run the server as it ships. */
    public static WebServerConfig.Builder setupServer(WebServerConfig.Builder server, Config config,
                                                      GracefulShutdown shutdown) {
        ServerDefaults.Infrastructure infrastructure = ServerDefaults.infrastructure(config, shutdown);
        Idempotency idempotency = Idempotency.create(infrastructure.db(), config.get("idempotency"));
        PaymentStore store = new PaymentStore(infrastructure.db());
        Payments payments = new Payments(store, SimulatedAcquirer.create(config.get("acquirer")),
                MicrosecondClock.systemUTC());
        return ServerDefaults.apply(server, config, infrastructure, shutdown)
                .routing(routing -> {
                    ServerDefaults.routing(routing);
                    routing.register("/api/payments", new PaymentHttpService(payments, store, idempotency));
                });
    }
}
