package io.meshshop.manifests;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.istio.api.api.networking.v1alpha3.ClientTLSSettingsTLSmode;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetry;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.OutlierDetection;
import io.fabric8.istio.api.api.networking.v1alpha3.Subset;
import io.fabric8.istio.api.api.networking.v1alpha3.TrafficPolicy;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Routing and traffic policy in mesh/ agree with the Services, the OpenAPI documents and the clients. */
class MeshRoutingContractTest {

    /**
     * The public API: the only paths (each with what lies below it) the ingress may route. payment is internal.
     * Sign-in and the signing keys are user's; their routes land in user's OpenAPI with the user service's change.
     */
    static final List<String> PUBLIC_PREFIXES = List.of("/api/users", "/api/sessions", "/.well-known/jwks.json",
            "/api/products", "/api/orders");

    /** Operations under a public path that are for the cluster only: listing users and finding one by e-mail (admins). */
    static final Set<ServiceFiles.Operation> INTERNAL_OPERATIONS = Set.of(CustomerAuth.LIST_USERS);

    /** Envoy's retry conditions for HTTP (x-envoy-retry-on) plus Istio's gRPC ones. */
    private static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
            "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes",
            "retriable-headers", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
            "resource-exhausted", "unavailable");

    static Stream<Named<Resources>> meshes() {
        return Stream.of(Named.of("mesh", Resources.mesh()), Named.of("mesh with optional components", Resources.meshWithOptional()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void everyHostIsAServiceOnItsPort(Resources mesh) {
        Resources k8s = Resources.devWithOptional();
        for (VirtualService vs : mesh.all(VirtualService.class)) {
            if (!Istio.isIngressRoutes(vs)) {
                vs.getSpec().getHosts().forEach(host -> service(k8s, host, "VirtualService " + vs.getMetadata().getName()));
            }
            for (HTTPRoute route : vs.getSpec().getHttp()) {
                for (HTTPRouteDestination d : route.getRoute()) {
                    Service service = service(k8s, d.getDestination().getHost(), Istio.describe(vs, route));
                    if (d.getDestination().getPort() != null) {
                        assertTrue(service.getSpec().getPorts().stream()
                                        .anyMatch(p -> p.getPort().longValue() == d.getDestination().getPort().getNumber()),
                                Istio.describe(vs, route) + ": Service " + service.getMetadata().getName()
                                        + " has no port " + d.getDestination().getPort().getNumber());
                    }
                }
            }
        }
        for (DestinationRule dr : mesh.all(DestinationRule.class)) {
            service(k8s, dr.getSpec().getHost(), "DestinationRule " + dr.getMetadata().getName());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void gatewaysExistAndSelectTheIngressGateway(Resources mesh) {
        List<Gateway> gateways = mesh.all(Gateway.class);
        assertEquals(1, gateways.size(), "one ingress Gateway");
        assertEquals(Map.of("istio", "ingressgateway"), gateways.get(0).getSpec().getSelector());
        for (VirtualService vs : mesh.all(VirtualService.class)) {
            for (String gateway : vs.getSpec().getGateways()) {
                assertTrue(gateway.equals("mesh") || mesh.find(Gateway.class, gateway).isPresent(),
                        "VirtualService " + vs.getMetadata().getName() + " binds to missing Gateway " + gateway);
            }
        }
    }

    /** The ingress routes the public API only: every match sits under a public prefix and goes to user or order. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void ingressRoutesOnlyThePublicApi(Resources mesh) {
        VirtualService ingress = ingressRoutes(mesh);
        for (HTTPRoute route : ingress.getSpec().getHttp()) {
            for (Istio.Match match : Istio.matches(route)) {
                String uri = match.uriExact() != null ? match.uriExact() : match.uriPrefix();
                assertNotNull(uri, Istio.describe(ingress, route) + " matches every path");
                assertTrue(PUBLIC_PREFIXES.stream().anyMatch(p -> uri.equals(p) || uri.startsWith(p + "/")),
                        Istio.describe(ingress, route) + " routes " + uri + ", which is not public API");
            }
            assertNull(route.getRedirect(), "no redirects at the ingress");
            for (HTTPRouteDestination d : route.getRoute()) {
                assertTrue(Set.of("user", "order").contains(Istio.serviceOfHost(d.getDestination().getHost())),
                        Istio.describe(ingress, route) + " sends to " + d.getDestination().getHost());
            }
        }
    }

    /** Every way into the ingress reaches an operation the destination's OpenAPI document declares. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void ingressRoutesExistInTheServicesOpenApi(Resources mesh) {
        VirtualService ingress = ingressRoutes(mesh);
        for (HTTPRoute route : ingress.getSpec().getHttp()) {
            for (String service : destinations(route)) {
                List<ServiceFiles.Operation> operations = ServiceFiles.operations(service);
                for (Istio.Match match : Istio.matches(route)) {
                    assertTrue(operations.stream().anyMatch(match::matches),
                            Istio.describe(ingress, route) + ": " + match + " reaches no operation of "
                                    + ServiceFiles.openApiYaml(service) + " " + operations);
                }
            }
        }
    }

    /** ...and the other way round: the public operations of user and order are all routed, to them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void everyPublicOperationIsRoutedAndPaymentIsNot(Resources mesh) {
        VirtualService ingress = ingressRoutes(mesh);
        for (String service : Repo.SERVICES) {
            for (ServiceFiles.Operation op : ServiceFiles.operations(service)) {
                HTTPRoute route = firstMatchingRoute(ingress, op);
                boolean isPublic = !service.equals("payment") && !INTERNAL_OPERATIONS.contains(op)
                        && PUBLIC_PREFIXES.stream().anyMatch(p -> op.path().equals(p) || op.path().startsWith(p + "/"));
                if (isPublic) {
                    assertNotNull(route, service + ": " + op + " is not routed at the ingress");
                    assertEquals(Set.of(service), destinations(route), op + " is routed elsewhere");
                } else {
                    assertTrue(route == null, () -> service + ": " + op + " must not be reachable from the ingress, but "
                            + Istio.describe(ingress, route) + " routes it");
                }
            }
        }
    }

    /** Every route has an explicit timeout and explicit retries whose tries all fit into that timeout. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void everyRouteHasATimeoutAndRetriesThatFitIt(Resources mesh) {
        for (VirtualService vs : mesh.all(VirtualService.class)) {
            for (HTTPRoute route : vs.getSpec().getHttp()) {
                String where = Istio.describe(vs, route);
                assertNotNull(route.getName(), where + " needs a name (Kiali and access logs show it)");
                Duration timeout = Istio.duration(route.getTimeout(), where + " timeout");
                HTTPRetry retries = route.getRetries();
                assertNotNull(retries, where + " has no explicit retries (Istio's default would retry twice on 503)");
                assertNotNull(retries.getAttempts(), where + " retries.attempts");
                if (retries.getAttempts() == 0) {
                    continue;
                }
                Duration perTry = Istio.duration(retries.getPerTryTimeout(), where + " perTryTimeout");
                // attempts counts the retries; the first try comes on top.
                Duration allTries = perTry.multipliedBy(retries.getAttempts() + 1L);
                assertTrue(allTries.compareTo(timeout) <= 0,
                        where + ": " + (retries.getAttempts() + 1) + " tries of " + perTry + " do not fit the timeout " + timeout);
                assertNotNull(retries.getRetryOn(), where + " retryOn");
                for (String condition : retries.getRetryOn().split(",")) {
                    assertTrue(RETRY_ON.contains(condition.trim()), where + ": unknown retryOn condition " + condition);
                }
            }
        }
    }

    /** Retrying a write is only safe because of its Idempotency-Key: the file retrying one must say so. */
    @Test
    void filesThatRetryWritesSayWhyItIsSafe() {
        for (String file : Repo.yamlFilesUnder("mesh")) {
            String text = Repo.read(file);
            for (JsonNode document : StrictManifests.documents(file, text)) {
                if (!document.path("kind").asText().equals("VirtualService")) {
                    continue;
                }
                VirtualService vs = (VirtualService) StrictManifests.parse(file, document).model();
                for (HTTPRoute route : vs.getSpec().getHttp()) {
                    boolean retriesWrites = route.getRetries() != null && route.getRetries().getAttempts() > 0
                            && Istio.matches(route).stream().anyMatch(Istio.Match::allowsMethodOtherThanGet);
                    if (retriesWrites) {
                        assertTrue(text.contains("Idempotency-Key"),
                                file + ": " + Istio.describe(vs, route) + " retries writes; say why that is safe");
                    }
                }
            }
        }
    }

    /**
     * order's own HTTP client gives up after its read timeout: the mesh's timeout for each service order
     * calls must not be longer, or its retries would happen after order stopped waiting.
     */
    @Test
    void meshTimeoutsFitTheCallersClientTimeouts() {
        Resources mesh = Resources.mesh();
        for (String caller : Repo.SERVICES) {
            for (String called : ServiceFiles.calledServices(caller)) {
                Duration clientTimeout = ServiceFiles.clientReadTimeout(caller, called);
                VirtualService vs = mesh.named(VirtualService.class, called);
                for (HTTPRoute route : vs.getSpec().getHttp()) {
                    Duration timeout = Istio.duration(route.getTimeout(), Istio.describe(vs, route));
                    assertTrue(timeout.compareTo(clientTimeout) <= 0, Istio.describe(vs, route) + ": " + timeout
                            + " is longer than " + caller + "'s read timeout for " + called + " (" + clientTimeout + ")");
                }
            }
        }
    }

    /** One try of an order write at the ingress must outlast the calls order makes meanwhile, one after another. */
    @Test
    void ingressGivesOrderWritesTimeForItsDownstreamCalls() {
        Resources mesh = Resources.mesh();
        Duration downstream = Duration.ZERO;
        for (String called : ServiceFiles.calledServices("order")) {
            VirtualService vs = mesh.named(VirtualService.class, called);
            downstream = downstream.plus(vs.getSpec().getHttp().stream()
                    .map(r -> Istio.duration(r.getTimeout(), Istio.describe(vs, r)))
                    .max(Duration::compareTo).orElseThrow());
        }
        for (VirtualService vs : List.of(ingressRoutes(mesh), mesh.named(VirtualService.class, "order"))) {
            for (HTTPRoute route : vs.getSpec().getHttp()) {
                boolean orderWrites = destinations(route).contains("order")
                        && Istio.matches(route).stream().anyMatch(Istio.Match::allowsMethodOtherThanGet);
                if (orderWrites) {
                    Duration oneTry = route.getRetries().getAttempts() > 0
                            ? Istio.duration(route.getRetries().getPerTryTimeout(), Istio.describe(vs, route))
                            : Istio.duration(route.getTimeout(), Istio.describe(vs, route));
                    assertTrue(oneTry.compareTo(downstream) >= 0, Istio.describe(vs, route) + ": one try (" + oneTry
                            + ") is shorter than order's calls to " + ServiceFiles.calledServices("order") + " (" + downstream + ")");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void everyServiceHasMutualTlsConnectionLimitsAndOutlierDetection(Resources mesh) {
        for (String service : Repo.SERVICES) {
            List<DestinationRule> rules = mesh.all(DestinationRule.class).stream()
                    .filter(dr -> service.equals(Istio.serviceOfHost(dr.getSpec().getHost()))).toList();
            assertEquals(1, rules.size(), "one DestinationRule for " + service + " (two would conflict)");
            TrafficPolicy policy = rules.get(0).getSpec().getTrafficPolicy();
            String where = "DestinationRule for " + service;
            assertNotNull(policy, where);
            assertEquals(ClientTLSSettingsTLSmode.ISTIO_MUTUAL, policy.getTls().getMode(), where);
            assertNotNull(policy.getConnectionPool().getTcp().getMaxConnections(), where + " maxConnections");
            assertNotNull(policy.getConnectionPool().getTcp().getConnectTimeout(), where + " connectTimeout");
            assertNotNull(policy.getConnectionPool().getHttp().getHttp1MaxPendingRequests(), where + " http1MaxPendingRequests");
            assertNotNull(policy.getConnectionPool().getHttp().getHttp2MaxRequests(), where + " http2MaxRequests");
            OutlierDetection outliers = policy.getOutlierDetection();
            assertNotNull(outliers, where + " has no outlierDetection");
            // Only 5xx and gateway errors count: consecutiveErrors is deprecated, and nothing counts a 4xx.
            assertNull(outliers.getConsecutiveErrors(), where + ": use consecutive5xxErrors/consecutiveGatewayErrors");
            assertTrue(outliers.getConsecutiveGatewayErrors() != null || outliers.getConsecutive5xxErrors() != null, where);
            assertTrue(outliers.getMaxEjectionPercent() != null && outliers.getMaxEjectionPercent() < 100,
                    where + ": ejecting every pod turns one bad pod into an outage");
            Istio.duration(outliers.getInterval(), where + " interval");
            Istio.duration(outliers.getBaseEjectionTime(), where + " baseEjectionTime");
        }
    }

    /** Subsets select pods that exist (with order v2 enabled), and weighted routes add up to 100. */
    @Test
    void trafficShiftingSplitsBetweenExistingVersions() {
        Resources mesh = Resources.meshWithOptional();
        Resources k8s = Resources.devWithOptional();
        for (DestinationRule dr : mesh.all(DestinationRule.class)) {
            for (Subset subset : dr.getSpec().getSubsets()) {
                Map<String, String> labels = new java.util.HashMap<>(subset.getLabels());
                labels.put("app", Istio.serviceOfHost(dr.getSpec().getHost()));
                assertFalse(WorkloadContractTest.podsSelectedBy(k8s, labels).isEmpty(),
                        "subset " + subset.getName() + " of " + dr.getSpec().getHost() + " selects no pods");
            }
        }
        boolean split = false;
        for (VirtualService vs : mesh.all(VirtualService.class)) {
            for (HTTPRoute route : vs.getSpec().getHttp()) {
                if (route.getRoute().size() > 1) {
                    split = true;
                    assertEquals(Set.of("order"), destinations(route), Istio.describe(vs, route) + ": the sample shifts order");
                    // The patch replaces routes by index: a wrong index would send another route's paths to order.
                    assertTrue(route.getName() != null && route.getName().startsWith("order-"),
                            Istio.describe(vs, route) + ": the traffic-shifting patch replaced a route that is not order's");
                    assertEquals(100, route.getRoute().stream().mapToInt(d -> d.getWeight() == null ? 0 : d.getWeight()).sum(),
                            Istio.describe(vs, route));
                    Set<String> subsets = new TreeSet<>();
                    route.getRoute().forEach(d -> subsets.add(d.getDestination().getSubset()));
                    assertEquals(Set.of("v1", "v2"), subsets, Istio.describe(vs, route));
                }
            }
        }
        assertTrue(split, "the traffic-shifting component splits no route");
    }

    /** The fault sample breaks order -> payment only, never a route at the ingress. */
    @Test
    void faultInjectionOnlyHitsPayment() {
        int faults = 0;
        for (VirtualService vs : Resources.meshWithOptional().all(VirtualService.class)) {
            for (HTTPRoute route : vs.getSpec().getHttp()) {
                if (route.getFault() != null) {
                    faults++;
                    assertEquals(Set.of("payment"), destinations(route), Istio.describe(vs, route));
                    assertFalse(Istio.isIngressRoutes(vs), Istio.describe(vs, route));
                }
            }
        }
        assertTrue(faults > 0, "the fault-injection component injects nothing");
        for (VirtualService vs : Resources.mesh().all(VirtualService.class)) {
            vs.getSpec().getHttp().forEach(r -> assertNull(r.getFault(), Istio.describe(vs, r) + ": faults only on purpose"));
        }
    }

    static VirtualService ingressRoutes(Resources mesh) {
        List<VirtualService> ingress = mesh.all(VirtualService.class).stream().filter(Istio::isIngressRoutes).toList();
        assertEquals(1, ingress.size(), "one VirtualService bound to the ingress Gateway");
        return ingress.get(0);
    }

    static Set<String> destinations(HTTPRoute route) {
        Set<String> services = new TreeSet<>();
        route.getRoute().forEach(d -> services.add(Istio.serviceOfHost(d.getDestination().getHost())));
        return services;
    }

    /** The route Envoy picks for an operation: the first whose match fits. */
    static HTTPRoute firstMatchingRoute(VirtualService vs, ServiceFiles.Operation op) {
        for (HTTPRoute route : vs.getSpec().getHttp()) {
            if (Istio.matches(route).stream().anyMatch(m -> m.matches(op))) {
                return route;
            }
        }
        return null;
    }

    private static Service service(Resources k8s, String host, String where) {
        String name = Istio.serviceOfHost(host);
        if (name == null) {
            return fail(where + ": host " + host + " is not a meshshop Service");
        }
        return k8s.named(Service.class, name);
    }
}
