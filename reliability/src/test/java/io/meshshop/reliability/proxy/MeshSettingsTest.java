package io.meshshop.reliability.proxy;

import java.nio.file.Path;
import java.time.Duration;

import io.meshshop.reliability.harness.Repo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxies imitate what our mesh/ files say; this pins how they are read. */
class MeshSettingsTest {

    private final Path mesh = Repo.root().resolve("mesh");

    @Test
    void chargesAndRefundsRouteOfPayment() {
        MeshSettings.Route route = MeshSettings.routes(mesh, "payment-timeouts-and-retries.yaml")
                .route("POST", "/api/payments");
        assertTrue(route.source().endsWith("route charges-and-refunds"), route.source());
        assertTrue(route.retryOn().contains("gateway-error"), route.toString());
        assertTrue(route.retries() >= 0 && !route.perTryTimeout().isZero() && !route.timeout().isZero(), route.toString());
    }

    @Test
    void ingressMatchesByUriAndMethod() {
        MeshSettings.RouteTable ingress = MeshSettings.routes(mesh, "ingress-public-api-routes.yaml");
        assertTrue(ingress.route("POST", "/api/orders").source().endsWith("route order-writes"));
        assertTrue(ingress.route("GET", "/api/orders/x").source().endsWith("route order-reads"));
        assertTrue(ingress.route("GET", "/api/users/me").source().endsWith("route user-reads"));
        assertTrue(ingress.route("PUT", "/api/users/x").source().endsWith("route user-writes"));
        assertTrue(ingress.route("POST", "/api/sessions").source().endsWith("route user-sign-in"));
        assertTrue(ingress.route("GET", "/.well-known/jwks.json").source().endsWith("route user-signing-keys"));
        // Not routed at the ingress (Envoy answers 404; the suites never send them through it).
        assertEquals("no mesh", ingress.route("GET", "/api/users").source(), "listing users is for operators inside");
        assertEquals("no mesh", ingress.route("GET", "/observe/health/ready").source());
    }

    @Test
    void outlierDetectionOfPayment() {
        MeshSettings.Outlier outlier = MeshSettings.outlier(mesh, "payment-circuit-breaker.yaml");
        assertTrue(outlier.consecutive5xxErrors() > 0 && outlier.consecutiveGatewayErrors() > 0, outlier.toString());
    }

    @Test
    void istioDurations() {
        assertEquals(Duration.ofMillis(600), MeshSettings.duration("600ms"));
        assertEquals(Duration.ofMillis(1500), MeshSettings.duration("1.5s"));
        assertEquals(Duration.ofMinutes(2), MeshSettings.duration("2m"));
    }
}
