package io.meshshop.manifests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

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
        return Resources.allMeshes().stream().map(r -> Named.of(r.source(), r));
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
        for (var route : mesh.all(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class)) {
            assertEquals(Repo.NAMESPACE, route.getMetadata().getNamespace(), "HTTPRoute " + route.getMetadata().getName());
            for (var rule : route.getSpec().getRules()) {
                for (var backend : rule.getBackendRefs()) {
                    Service service = service(k8s, backend.getName(), "HTTPRoute " + route.getMetadata().getName());
                    assertTrue(service.getSpec().getPorts().stream().anyMatch(p -> p.getPort().equals(backend.getPort())),
                            "HTTPRoute " + route.getMetadata().getName() + ": Service " + backend.getName() + " has no port " + backend.getPort());
                }
            }
        }
        for (DestinationRule dr : mesh.all(DestinationRule.class)) {
            service(k8s, dr.getSpec().getHost(), "DestinationRule " + dr.getMetadata().getName());
        }
    }

    /**
     * One ingress Gateway, whose identity (namespace, pod labels, service account) is one Istio's installers
     * give a gateway; every route of the ingress attaches to it. The token check and the tracing of the gateway
     * are checked against the same identity (CustomerTokensContractTest, TelemetryAndInstallTest), and so are the
     * policies that let it call the services (MeshSecurityContractTest).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void theIngressGatewayIsOneKnownGateway(Resources mesh) {
        Ingress.Identity gateway = Ingress.identity(mesh);
        for (VirtualService vs : mesh.all(VirtualService.class)) {
            for (String name : vs.getSpec().getGateways()) {
                assertTrue(name.equals("mesh") || mesh.find(Gateway.class, name).isPresent(),
                        "VirtualService " + vs.getMetadata().getName() + " binds to missing Gateway " + name);
            }
        }
        for (var g : mesh.all(io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class)) {
            assertFalse(Repo.NAMESPACE.equals(g.getMetadata().getNamespace()),
                    "the Gateway API gateway's pods would fall under meshshop's Pod Security restricted and allow-nothing policy");
            for (var listener : g.getSpec().getListeners()) {
                var allowed = listener.getAllowedRoutes().getNamespaces();
                assertEquals("Selector", allowed.getFrom(), "listener " + listener.getName() + " takes routes of meshshop only");
                assertEquals(Map.of("kubernetes.io/metadata.name", Repo.NAMESPACE), allowed.getSelector().getMatchLabels());
            }
            var ns = mesh.named(io.fabric8.kubernetes.api.model.Namespace.class, g.getMetadata().getNamespace());
            assertEquals("baseline", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"),
                    "Istio's gateway pods set a sysctl and no seccomp profile: baseline admits them");
        }
        assertFalse(gateway.principal().isBlank());
    }

    /**
     * The ingress routes the public API to user and order, GET and HEAD of everything else to the storefront,
     * and nothing to payment. Routes without a destination answer 404 themselves.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void ingressRoutesOnlyThePublicApiAndTheStorefront(Resources mesh) {
        for (Ingress.Route route : Ingress.routes(mesh)) {
            assertFalse(route.redirect(), route + ": no redirects at the ingress (HTTPS redirects are the Gateway's, on port 80)");
            if (route.directResponse() != null) {
                assertEquals(404, route.directResponse(), route + " answers by itself: only 404 for what is not routed");
                assertEquals(Set.of(), route.destinations(), route.toString());
                continue;
            }
            assertEquals(1, route.destinations().size(), route + " sends to " + route.destinations());
            String service = route.destinations().iterator().next();
            if (service.equals("storefront")) {
                for (Istio.Match match : route.matches()) {
                    assertTrue(Set.of("GET", "HEAD").contains(match.method()), route + ": the storefront serves GET and HEAD only");
                }
                continue;
            }
            assertTrue(Set.of("user", "order").contains(service), route + " sends to " + service);
            for (Istio.Match match : route.matches()) {
                String uri = match.path();
                assertNotNull(uri, route + " matches every path");
                assertTrue(PUBLIC_PREFIXES.stream().anyMatch(p -> uri.equals(p) || uri.startsWith(p + "/")),
                        route + " routes " + uri + ", which is not public API");
            }
        }
    }

    /** Every way into user and order reaches an operation the destination's OpenAPI document declares. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void ingressRoutesExistInTheServicesOpenApi(Resources mesh) {
        for (Ingress.Route route : Ingress.routes(mesh)) {
            for (String service : route.destinations()) {
                if (service.equals("storefront")) {
                    continue; // the catch-all: the storefront answers any other address with its 404 page
                }
                List<ServiceFiles.Operation> operations = ServiceFiles.operations(service);
                for (Istio.Match match : route.matches()) {
                    assertTrue(operations.stream().anyMatch(match::matches),
                            route + ": " + match + " reaches no operation of " + ServiceFiles.openApiYaml(service) + " " + operations);
                }
            }
        }
    }

    /**
     * ...and the other way round: the public operations of user and order are all routed, to them; payment's and
     * the internal ones never reach their service; the storefront's pages and assets reach it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void everyPublicOperationIsRoutedAndPaymentIsNot(Resources mesh) {
        List<Ingress.Route> routes = Ingress.routes(mesh);
        for (String service : Repo.SERVICES) {
            for (ServiceFiles.Operation op : ServiceFiles.operations(service)) {
                Ingress.Route route = Ingress.firstMatching(routes, op);
                boolean isPublic = service.equals("storefront") ? !isServiceEndpoint(op.path())
                        : !service.equals("payment") && !INTERNAL_OPERATIONS.contains(op)
                        && PUBLIC_PREFIXES.stream().anyMatch(p -> op.path().equals(p) || op.path().startsWith(p + "/"));
                if (isPublic) {
                    assertNotNull(route, service + ": " + op + " is not routed at the ingress");
                    assertEquals(Set.of(service), route.destinations(), op + " is routed elsewhere");
                } else {
                    assertTrue(route == null || !route.destinations().contains(service),
                            () -> service + ": " + op + " must not be reachable from the ingress, but " + route + " routes it");
                }
            }
        }
    }

    /** The services' own endpoints: for the kubelet and Prometheus, never for the ingress. */
    static boolean isServiceEndpoint(String path) {
        return path.startsWith("/observe/") || path.equals("/openapi") || path.startsWith("/openapi/");
    }

    /** Every route has an explicit timeout and explicit retries whose tries all fit into that timeout. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void everyRouteHasATimeoutAndRetriesThatFitIt(Resources mesh) {
        List<Ingress.Route> all = allRoutes(mesh);
        for (Ingress.Route route : all) {
            assertNotNull(route.name(), route + " needs a name (Kiali and access logs show it)");
            assertNotNull(route.timeout(), route + " has no timeout");
            if (route.attempts() == 0) {
                continue;
            }
            assertNotNull(route.perTryTimeout(), route + " has no per-try timeout");
            // attempts counts the retries; the first try comes on top.
            Duration allTries = route.perTryTimeout().multipliedBy(route.attempts() + 1L);
            assertTrue(allTries.compareTo(route.timeout()) <= 0,
                    route + ": " + (route.attempts() + 1) + " tries of " + route.perTryTimeout() + " do not fit the timeout " + route.timeout());
            for (String condition : route.retryOn()) {
                assertTrue(RETRY_ON.contains(condition) || condition.matches("[1-5]\\d\\d"), route + ": unknown retryOn condition " + condition);
            }
        }
    }

    /**
     * A write is repeated only where it cannot have reached the service (connect-failure, refused-stream,
     * reset-before-request): never after a reset or a per-try timeout (gateway-error, reset, 5xx: the write
     * may have run and may still hold its Idempotency-Key) nor on a status the service answered (its 503 says
     * overloaded, dependency down or draining, and a retry only adds load). Every route names its retries, or
     * Istio's default policy (which retries 503) applies. A route may differ only where docs/deploy.md's table
     * says so ("exception:") and why. The table lists every route with its conditions.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void writesRetryOnlyWhereTheRequestCannotHaveReachedTheService(Resources mesh) {
        List<Ingress.Route> all = allRoutes(mesh);
        String table = retryTable();
        for (Ingress.Route route : all) {
            String row = table.lines().filter(l -> l.contains("`" + route.name() + "`")).findFirst().orElse(null);
            assertNotNull(row, "docs/deploy.md's retry table has no row for route " + route.name() + " (" + route + ")");
            if (!route.carriesWrites() || route.attempts() == 0) {
                continue;
            }
            Set<String> unsafe = new TreeSet<>(route.retryOn());
            unsafe.removeAll(WRITE_SAFE_RETRY_ON);
            unsafe.removeAll(Ingress.GRPC_ONLY_CONDITIONS);
            assertTrue(unsafe.isEmpty() || row.contains("exception:"),
                    route + " retries writes on " + unsafe + ", after which the write may have run; allowed only as a documented exception");
            for (String condition : route.retryOn()) {
                if (!Ingress.GRPC_ONLY_CONDITIONS.contains(condition)) {
                    assertTrue(row.contains(condition), "docs/deploy.md's row for " + route.name() + " does not name " + condition + ": " + row);
                }
            }
        }
    }

    /** The conditions under which a write cannot have reached the service. */
    static final Set<String> WRITE_SAFE_RETRY_ON = Set.of("connect-failure", "refused-stream", "reset-before-request");

    /** docs/deploy.md, section "Retries, route by route": its table. */
    static String retryTable() {
        String docs = Repo.read("docs/deploy.md");
        int start = docs.indexOf("### Retries, route by route");
        assertTrue(start >= 0, "docs/deploy.md has no section \"Retries, route by route\"");
        int end = docs.indexOf("\n### ", start + 10);
        return docs.substring(start, end < 0 ? docs.length() : end);
    }

    /** The ingress's routes and every in-mesh VirtualService's, in one list. */
    static List<Ingress.Route> allRoutes(Resources mesh) {
        List<Ingress.Route> all = new ArrayList<>(Ingress.routes(mesh));
        for (VirtualService vs : mesh.all(VirtualService.class)) {
            if (!Istio.isIngressRoutes(vs)) {
                all.addAll(inMeshRoutes(vs));
            }
        }
        return all;
    }

    /** A VirtualService's routes in the same terms as the ingress's. */
    static List<Ingress.Route> inMeshRoutes(VirtualService vs) {
        List<Ingress.Route> routes = new ArrayList<>();
        for (HTTPRoute route : vs.getSpec().getHttp()) {
            HTTPRetry retries = route.getRetries();
            String where = Istio.describe(vs, route);
            assertNotNull(retries, where + " has no explicit retries (Istio's default would retry twice on 503)");
            assertNotNull(retries.getAttempts(), where + " retries.attempts");
            Set<String> retryOn = new java.util.LinkedHashSet<>();
            if (retries.getAttempts() > 0) {
                assertNotNull(retries.getRetryOn(), where + " retryOn");
                for (String condition : retries.getRetryOn().split(",")) {
                    retryOn.add(condition.trim());
                }
            }
            Set<String> destinations = new TreeSet<>();
            route.getRoute().forEach(d -> destinations.add(Istio.serviceOfHost(d.getDestination().getHost())));
            routes.add(new Ingress.Route(where, route.getName(), Istio.matches(route), destinations, null, route.getRedirect() != null,
                    route.getTimeout() == null ? null : Istio.duration(route.getTimeout(), where + " timeout"), retries.getAttempts(),
                    retries.getPerTryTimeout() == null ? null : Istio.duration(retries.getPerTryTimeout(), where + " perTryTimeout"),
                    retryOn, Set.of(), Set.of()));
        }
        return routes;
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
        for (Resources variant : Resources.allMeshes()) {
            List<Ingress.Route> routes = new ArrayList<>(Ingress.routes(variant));
            routes.addAll(inMeshRoutes(variant.named(VirtualService.class, "order")));
            for (Ingress.Route route : routes) {
                if (route.destinations().contains("order") && route.carriesWrites()) {
                    Duration oneTry = route.attempts() > 0 ? route.perTryTimeout() : route.timeout();
                    assertTrue(oneTry.compareTo(downstream) >= 0, variant.source() + " " + route + ": one try (" + oneTry
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
            // Envoy must close an idle connection before the service does, or it may send a request on a
            // connection the service is closing.
            String idle = policy.getConnectionPool().getHttp().getIdleTimeout();
            assertNotNull(idle, where + ": connectionPool.http.idleTimeout (Envoy's default is 1 h)");
            Duration serverIdle = ServiceFiles.serverIdleConnectionTimeout(service);
            assertTrue(Istio.duration(idle, where + " idleTimeout").compareTo(serverIdle) < 0,
                    where + ": idleTimeout " + idle + " is not below " + service + "'s idle-connection timeout " + serverIdle);
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

    static Set<String> destinations(HTTPRoute route) {
        Set<String> services = new TreeSet<>();
        route.getRoute().forEach(d -> services.add(Istio.serviceOfHost(d.getDestination().getHost())));
        return services;
    }

    private static Service service(Resources k8s, String host, String where) {
        String name = Istio.serviceOfHost(host);
        if (name == null) {
            return fail(where + ": host " + host + " is not a meshshop Service");
        }
        return k8s.named(Service.class, name);
    }
}
