package io.meshshop.reliability.proxy;

import java.nio.file.Path;
import java.time.Duration;

import io.meshshop.reliability.harness.Repo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxies imitate what our mesh/ files say; this pins how they are read. */
class MeshSettingsTest {

    private final Path mesh = Repo.root().resolve("mesh");

    /**
     * A charge or a refund is repeated only when its connection was refused: after a reset, a per-try timeout or
     * payment's own 503 the first attempt may have run (and may still hold its Idempotency-Key).
     */
    @Test
    void chargesAndRefundsRouteOfPayment() {
        MeshSettings.Route route = MeshSettings.routes(mesh, "payment-timeouts-and-retries.yaml")
                .route("POST", "/api/payments");
        assertTrue(route.source().endsWith("route charges-and-refunds"), route.source());
        assertFalse(route.mayRepeatARequestThatRan(), "a charge is never repeated after it may have run: " + route);
        assertTrue(route.retriesARefusedConnection(), "a refused connection sent nothing, so it is repeated: " + route);
        assertTrue(route.retries() >= 0 && !route.perTryTimeout().isZero() && !route.timeout().isZero(), route.toString());
    }

    /** Every write route of mesh/ that the suites imitate; reads may repeat a request, since it changes nothing. */
    @Test
    void writesAreRepeatedOnlyWhenTheyCannotHaveRun() {
        MeshSettings.RouteTable ingress = MeshSettings.routes(mesh, "ingress-public-api-routes.yaml");
        for (String[] write : new String[][] {{"POST", "/api/orders"}, {"POST", "/api/orders/x/cancel"}, {"POST", "/api/users"},
                {"PUT", "/api/users/x"}, {"DELETE", "/api/users/x"}, {"POST", "/api/sessions"}}) {
            MeshSettings.Route route = ingress.route(write[0], write[1]);
            assertFalse(route.mayRepeatARequestThatRan(), write[0] + " " + write[1] + ": " + route);
            assertTrue(route.retriesARefusedConnection(), write[0] + " " + write[1] + ": " + route);
        }
        for (String file : new String[] {"user-timeouts-and-retries.yaml", "order-timeouts-and-retries.yaml"}) {
            MeshSettings.Route route = MeshSettings.routes(mesh, file).route("POST", "/api/x");
            assertFalse(route.mayRepeatARequestThatRan(), route.toString());
        }
        assertTrue(ingress.route("GET", "/api/orders/x").mayRepeatARequestThatRan(), "reads retry after resets and gateway errors");
    }

    @Test
    void aConditionTheImitationDoesNotKnowFailsToLoad(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("vs.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: x}
                spec:
                  http:
                    - name: writes
                      timeout: 2s
                      retries: {attempts: 1, perTryTimeout: 1s, retryOn: "connect-failure,retriable-4xx"}
                """);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> MeshSettings.routes(dir, "vs.yaml"));
        assertTrue(e.getMessage().contains("retriable-4xx"), e.getMessage());
    }

    @Test
    void ingressMatchesByUriAndMethod() {
        MeshSettings.RouteTable ingress = MeshSettings.routes(mesh, "ingress-public-api-routes.yaml");
        assertTrue(ingress.route("POST", "/api/orders").source().endsWith("route order-writes"));
        assertTrue(ingress.route("GET", "/api/orders/x").source().endsWith("route order-reads"));
        assertTrue(ingress.route("GET", "/api/users/me").source().endsWith("route user-reads"));
        assertTrue(ingress.route("GET", "/api/users/x").source().endsWith("route user-reads"));
        assertTrue(ingress.route("PUT", "/api/users/x").source().endsWith("route user-writes"));
        assertTrue(ingress.route("POST", "/api/sessions").source().endsWith("route user-sign-in"));
        assertTrue(ingress.route("GET", "/.well-known/jwks.json").source().endsWith("route user-signing-keys"));
        // Listing users and the services' endpoints are answered 404 by the gateway; the rest is the storefront's.
        assertTrue(ingress.route("GET", "/api/users").source().endsWith("route not-routed"));
        assertTrue(ingress.route("GET", "/observe/health/ready").source().endsWith("route not-routed"));
        assertTrue(ingress.route("GET", "/cart").source().endsWith("route storefront"));
        assertEquals("no mesh", ingress.route("POST", "/cart").source());
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
