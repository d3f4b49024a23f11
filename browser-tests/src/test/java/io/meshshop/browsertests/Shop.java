package io.meshshop.browsertests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole shop on this machine as a person's browser would reach it: user, payment and order as their
 * own processes on H2, and the storefront forwarding /api/... to them, so the page and the API share one
 * origin as they do behind the ingress.
 */
final class Shop implements AutoCloseable {

    private final Map<String, ServiceProcess> services;
    private final List<ServiceProcess> started = new ArrayList<>();

    private Shop(Map<String, ServiceProcess> services) {
        this.services = services;
    }

    /** Starts the services in dependency order (user, payment, order, storefront). */
    static Shop start(Path work) {
        ServiceProcess user = ServiceProcess.of("user", work, Map.of(
                // A signing key of its own, created on first start (the contract's local-run setting).
                "AUTH_GENERATE_SIGNING_KEYS", "true",
                "AUTH_SIGNING_KEYS", work.resolve("user").resolve("signing-keys.json").toString()));
        // The simulated acquirer's defaults: charges above 1,000,000 minor units are declined.
        ServiceProcess payment = ServiceProcess.of("payment", work, Map.of());
        Map<String, String> orderEnv = new LinkedHashMap<>();
        orderEnv.put("USER_SERVICE_URL", user.baseUrl());
        orderEnv.put("PAYMENT_SERVICE_URL", payment.baseUrl());
        orderEnv.put("AUTH_JWKS_URL", user.baseUrl() + "/.well-known/jwks.json");
        // Recovery settles an order whose charge had no answer within about two seconds, not ten.
        orderEnv.put("RECOVERY_INTERVAL", "PT1S");
        orderEnv.put("RECOVERY_AGE", "PT1S");
        ServiceProcess order = ServiceProcess.of("order", work, orderEnv);
        ServiceProcess storefront = ServiceProcess.of("storefront", work, Map.of(
                "FORWARD_ENABLED", "true",
                "FORWARD_USER_URL", user.baseUrl(),
                "FORWARD_ORDER_URL", order.baseUrl()));
        Map<String, ServiceProcess> services = new LinkedHashMap<>();
        for (ServiceProcess service : List.of(user, payment, order, storefront)) {
            services.put(service.name(), service);
        }
        Shop shop = new Shop(services);
        try {
            for (ServiceProcess service : services.values()) {
                service.start();
                shop.started.add(service);
            }
        } catch (RuntimeException | Error e) {
            shop.close();
            throw e;
        }
        return shop;
    }

    String storefrontUrl() {
        return services.get("storefront").baseUrl();
    }

    Optional<ServiceProcess> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    /** The end of every service's log, for a failure message. */
    String logTails() {
        StringBuilder out = new StringBuilder();
        services.values().forEach(s -> out.append("\n--- ").append(s.name()).append(" (").append(s.log())
                .append(") ---\n").append(s.logTail()));
        return out.toString();
    }

    /** Stops every service, the last started first. */
    @Override
    public void close() {
        List<ServiceProcess> reversed = new ArrayList<>(services.values());
        java.util.Collections.reverse(reversed);
        reversed.forEach(ServiceProcess::stop);
    }
}
