package io.meshshop.manifests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.fabric8.istio.api.api.networking.v1alpha3.IstioEgressListener;
import io.fabric8.istio.api.api.security.v1beta1.AuthorizationPolicyAction;
import io.fabric8.istio.api.api.security.v1beta1.Operation;
import io.fabric8.istio.api.api.security.v1beta1.PeerAuthenticationMutualTLSMode;
import io.fabric8.istio.api.api.security.v1beta1.Rule;
import io.fabric8.istio.api.api.security.v1beta1.RuleFrom;
import io.fabric8.istio.api.api.security.v1beta1.RuleTo;
import io.fabric8.istio.api.api.networking.v1alpha3.OutboundTrafficPolicyMode;
import io.fabric8.istio.api.networking.v1.ServiceEntry;
import io.fabric8.istio.api.networking.v1.Sidecar;
import io.fabric8.istio.api.security.v1.AuthorizationPolicy;
import io.fabric8.istio.api.security.v1.PeerAuthentication;
import io.fabric8.kubernetes.api.model.ServiceAccount;
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

/** Who may call whom: mTLS, the authorization policies and the Sidecars follow the services' call edges. */
class MeshSecurityContractTest {

    /**
     * The calls order makes, per the service contract; the policies must let each of them through. Calls to user
     * carry the customer's token (order forwards it); calls to payment carry none.
     */
    private static final Map<String, List<ServiceFiles.Operation>> ORDER_CALLS = Map.of(
            "user", List.of(new ServiceFiles.Operation("GET", "/api/users/{id}"), new ServiceFiles.Operation("GET", "/api/users/me")),
            "payment", List.of(new ServiceFiles.Operation("POST", "/api/payments"),
                    new ServiceFiles.Operation("POST", "/api/payments/{id}/refunds"),
                    new ServiceFiles.Operation("GET", "/api/payments"),
                    new ServiceFiles.Operation("GET", "/api/payments/{id}")));

    /** A call edge: caller (a service, or "ingress") to a service. */
    record Edge(String from, String to) implements Comparable<Edge> {
        @Override
        public int compareTo(Edge o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return from + " -> " + to;
        }
    }

    @Test
    void everyWorkloadAcceptsOnlyMutualTls() {
        List<PeerAuthentication> all = Resources.mesh().all(PeerAuthentication.class);
        assertEquals(1, all.size());
        PeerAuthentication pa = all.get(0);
        assertEquals(Repo.NAMESPACE, pa.getMetadata().getNamespace());
        assertNull(pa.getSpec().getSelector(), "namespace-wide");
        assertEquals(PeerAuthenticationMutualTLSMode.STRICT, pa.getSpec().getMtls().getMode());
        assertTrue(pa.getSpec().getPortLevelMtls().isEmpty(), "no port exceptions");
    }

    /** One policy that allows nothing, so whatever no allow-* policy names is denied. */
    @Test
    void everythingIsDeniedUnlessAllowed() {
        List<AuthorizationPolicy> allowNothing = Resources.mesh().all(AuthorizationPolicy.class).stream()
                .filter(p -> p.getSpec().getSelector() == null && p.getSpec().getRules().isEmpty()).toList();
        assertEquals(1, allowNothing.size(), "one allow-nothing AuthorizationPolicy");
        AuthorizationPolicy p = allowNothing.get(0);
        assertEquals(Repo.NAMESPACE, p.getMetadata().getNamespace());
        assertTrue(p.getSpec().getAction() == null || p.getSpec().getAction() == AuthorizationPolicyAction.ALLOW,
                "a DENY with no rules denies nothing");
    }

    /**
     * Exactly one ALLOW per call edge, and the edges are exactly the real ones: ingress to the services its
     * routes reach, and service to service as the services' application.yaml names them. (The token checkers'
     * fetch of the signing keys has its own policy: CustomerTokensContractTest.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void allowPoliciesAreExactlyTheCallEdges(Resources mesh) {
        List<Edge> allowed = new ArrayList<>();
        for (AuthorizationPolicy p : edgePolicies(mesh)) {
            allowed.add(edgeOf(mesh, p));
        }
        assertEquals(new TreeSet<>(allowed).size(), allowed.size(), "more than one ALLOW for an edge: " + allowed);
        assertEquals(expectedEdges(mesh), new TreeSet<>(allowed));
    }

    static Stream<Named<Resources>> meshes() {
        return MeshRoutingContractTest.meshes();
    }

    /** Every operation an ALLOW lets through is one the called service serves (HEAD is GET without the body). */
    @Test
    void allowedOperationsExistInTheServicesOpenApi() {
        for (AuthorizationPolicy p : allowPolicies(Resources.mesh())) {
            String service = p.getSpec().getSelector().getMatchLabels().get("app");
            List<ServiceFiles.Operation> operations = ServiceFiles.operations(service);
            for (Rule rule : p.getSpec().getRules()) {
                assertFalse(rule.getTo().isEmpty(), p.getMetadata().getName() + ": a rule without operations allows everything");
                for (RuleTo to : rule.getTo()) {
                    Operation op = to.getOperation();
                    assertFalse(op.getMethods().isEmpty(), p.getMetadata().getName() + ": name the methods");
                    assertFalse(op.getPaths().isEmpty(), p.getMetadata().getName() + ": name the paths");
                    for (String allowedMethod : op.getMethods()) {
                        String method = allowedMethod.equals("HEAD") ? "GET" : allowedMethod;
                        for (String path : op.getPaths()) {
                            assertTrue(operations.stream().anyMatch(o -> o.method().equals(method)
                                            && Istio.authorizationPathMatches(path, o.samplePath())),
                                    p.getMetadata().getName() + " allows " + method + " " + path + ", which "
                                            + ServiceFiles.openApiYaml(service) + " does not declare");
                        }
                    }
                }
            }
        }
    }

    /** Whatever the ingress routes to a service, that service's policy lets the gateway call (with a customer's token). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void theIngressMayCallEveryOperationItRoutes(Resources mesh) {
        List<Ingress.Route> routes = Ingress.routes(mesh);
        String gateway = Ingress.identity(mesh).principal();
        for (String service : Repo.SERVICES) {
            for (ServiceFiles.Operation op : ServiceFiles.operations(service)) {
                Ingress.Route route = Ingress.firstMatching(routes, op);
                if (route != null && route.destinations().contains(service)) {
                    assertTrue(CustomerAuth.allows(mesh.all(AuthorizationPolicy.class), service,
                                    new CustomerAuth.Request(gateway, CustomerAuth.A_CUSTOMER, op)),
                            mesh.source() + ": " + op + " is routed at the ingress but no policy lets the gateway call " + service);
                }
            }
        }
    }

    @Test
    void orderMayMakeTheCallsOfTheContract() {
        Resources mesh = Resources.mesh();
        String order = "cluster.local/ns/" + Repo.NAMESPACE + "/sa/order";
        ORDER_CALLS.forEach((service, operations) -> operations.forEach(op -> {
            String customer = service.equals("user") ? CustomerAuth.A_CUSTOMER : null;
            assertTrue(CustomerAuth.allows(mesh.all(AuthorizationPolicy.class), service, new CustomerAuth.Request(order, customer, op)),
                    "order cannot " + op + " on " + service + (customer == null ? " without" : " with") + " a customer's token");
        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void principalsNameServiceAccountsThatExist(Resources mesh) {
        Resources k8s = Resources.dev();
        String gateway = Ingress.identity(mesh).principal();
        for (AuthorizationPolicy p : allowPolicies(mesh)) {
            for (String principal : principals(p)) {
                String prefix = "cluster.local/ns/" + Repo.NAMESPACE + "/sa/";
                if (!principal.equals(gateway)) {
                    assertTrue(principal.startsWith(prefix), p.getMetadata().getName() + ": " + principal);
                    k8s.named(ServiceAccount.class, principal.substring(prefix.length()));
                }
            }
        }
    }

    /**
     * Each proxy knows exactly the services its workload calls, its own database (dev: the overlay's Service; prod:
     * the ServiceEntry of the external server) and the trace collector of the environment. In prod each proxy also
     * runs REGISTRY_ONLY, so that list is all it can reach.
     */
    @Test
    void sidecarsLimitEgressToTheCallEdges() {
        for (Resources mesh : Resources.allMeshes()) {
            String collector = TelemetryAndInstallTest.collectorOf(mesh);
            for (String service : Repo.SERVICES) {
                List<Sidecar> sidecars = mesh.all(Sidecar.class).stream()
                        .filter(s -> Map.of("app", service).equals(s.getSpec().getWorkloadSelector().getLabels())).toList();
                assertEquals(1, sidecars.size(), mesh.source() + ": one Sidecar for " + service);
                Sidecar sidecar = sidecars.get(0);
                Set<String> hosts = new TreeSet<>();
                for (IstioEgressListener egress : sidecar.getSpec().getEgress()) {
                    hosts.addAll(egress.getHosts());
                }
                String namespaceOfCollector = collector.substring(collector.indexOf('.') + 1, collector.indexOf(".svc."));
                Set<String> expected = new TreeSet<>(Set.of(namespaceOfCollector + "/" + collector));
                if (Repo.SERVICES_WITH_DATABASE.contains(service)) {
                    expected.add("./" + databaseHost(mesh, service));
                }
                for (String called : ServiceFiles.calledServices(service)) {
                    expected.add("./" + called + "." + Repo.NAMESPACE + Istio.CLUSTER_DOMAIN);
                }
                // A proxy that checks customer tokens fetches the signing keys from user itself.
                if (CustomerTokensContractTest.requestAuthentications(mesh).containsKey(service)) {
                    expected.add("./" + CustomerAuth.JWKS_SERVICE + "." + Repo.NAMESPACE + Istio.CLUSTER_DOMAIN);
                }
                assertEquals(expected, hosts, mesh.source() + ": egress of " + service);
                if (mesh.isProduction()) {
                    assertNotNull(sidecar.getSpec().getOutboundTrafficPolicy(), mesh.source() + ": " + service + " outboundTrafficPolicy");
                    assertEquals(OutboundTrafficPolicyMode.REGISTRY_ONLY, sidecar.getSpec().getOutboundTrafficPolicy().getMode(),
                            mesh.source() + ": " + service + "'s proxy reaches only registered hosts in prod");
                }
            }
        }
    }

    /**
     * The host of a service's database as its proxy knows it: the ServiceEntry (prod's external servers, labelled
     * with the service's app, visible in meshshop only) or the dev overlay's Service.
     */
    static String databaseHost(Resources mesh, String service) {
        List<ServiceEntry> entries = mesh.all(ServiceEntry.class).stream()
                .filter(e -> service.equals(e.getMetadata().getLabels().get("app"))).toList();
        if (entries.isEmpty()) {
            assertFalse(mesh.isProduction(), mesh.source() + ": prod declares each external database with a ServiceEntry");
            return service + "-db." + Repo.NAMESPACE + Istio.CLUSTER_DOMAIN;
        }
        assertEquals(1, entries.size(), mesh.source() + ": one database for " + service);
        ServiceEntry entry = entries.get(0);
        assertEquals(List.of("."), entry.getSpec().getExportTo(), entry.getMetadata().getName() + ": visible in meshshop only");
        assertEquals(1, entry.getSpec().getHosts().size(), entry.getMetadata().getName());
        assertTrue(entry.getSpec().getPorts().stream().allMatch(p -> p.getNumber() == 5432 && "TCP".equals(p.getProtocol())),
                entry.getMetadata().getName() + ": PostgreSQL as plain TCP (its own TLS inside)");
        return entry.getSpec().getHosts().get(0);
    }

    static Set<Edge> expectedEdges(Resources mesh) {
        Set<Edge> edges = new TreeSet<>();
        for (Ingress.Route route : Ingress.routes(mesh)) {
            route.destinations().forEach(s -> edges.add(new Edge(Istio.INGRESS, s)));
        }
        for (String service : Repo.SERVICES) {
            ServiceFiles.calledServices(service).forEach(called -> edges.add(new Edge(service, called)));
        }
        return edges;
    }

    private static List<AuthorizationPolicy> allowPolicies(Resources mesh) {
        return mesh.all(AuthorizationPolicy.class).stream()
                .filter(p -> Repo.NAMESPACE.equals(p.getMetadata().getNamespace()))
                .filter(p -> !p.getSpec().getRules().isEmpty())
                .peek(p -> assertTrue(p.getSpec().getAction() == null || p.getSpec().getAction() == AuthorizationPolicyAction.ALLOW,
                        p.getMetadata().getName() + ": meshshop allows edges; it denies by allowing nothing"))
                .toList();
    }

    /** The ALLOW policies of call edges: all but the one that lets the token checkers read the signing keys. */
    private static List<AuthorizationPolicy> edgePolicies(Resources mesh) {
        List<AuthorizationPolicy> keyFetch = CustomerTokensContractTest.keyFetchPolicies(mesh);
        return allowPolicies(mesh).stream().filter(p -> !keyFetch.contains(p)).toList();
    }

    /** The one edge a policy allows: a single caller identity and a single selected service. */
    private static Edge edgeOf(Resources mesh, AuthorizationPolicy p) {
        String name = p.getMetadata().getName();
        assertNotNull(p.getSpec().getSelector(), name + " selects no workload: it would apply to all");
        Map<String, String> selector = p.getSpec().getSelector().getMatchLabels();
        assertEquals(1, selector.size(), name + " should select by app only");
        String to = selector.get("app");
        assertTrue(Repo.SERVICES.contains(to), name + " selects " + selector);
        Set<String> principals = principals(p);
        assertEquals(1, principals.size(), name + " should allow exactly one caller, found " + principals);
        String principal = principals.iterator().next();
        String from = principal.equals(Ingress.identity(mesh).principal()) ? Istio.INGRESS
                : appOfServiceAccount(principal.substring(principal.lastIndexOf('/') + 1));
        return new Edge(from, to);
    }

    private static Set<String> principals(AuthorizationPolicy p) {
        Set<String> principals = new TreeSet<>();
        for (Rule rule : p.getSpec().getRules()) {
            assertFalse(rule.getFrom().isEmpty(), p.getMetadata().getName() + ": a rule without a source allows any caller");
            for (RuleFrom from : rule.getFrom()) {
                assertFalse(from.getSource().getPrincipals().isEmpty(),
                        p.getMetadata().getName() + ": callers are named by mTLS principal");
                assertTrue(from.getSource().getNamespaces().isEmpty() && from.getSource().getIpBlocks().isEmpty(),
                        p.getMetadata().getName() + ": principals only");
                principals.addAll(from.getSource().getPrincipals());
            }
        }
        return principals;
    }

    private static String appOfServiceAccount(String serviceAccount) {
        Map<String, String> apps = new TreeMap<>();
        for (Resources.Workload w : Resources.dev().serviceWorkloads()) {
            apps.put(w.template().getSpec().getServiceAccountName(), w.template().getMetadata().getLabels().get("app"));
        }
        String app = apps.get(serviceAccount);
        return app != null ? app : fail("no meshshop workload runs as service account " + serviceAccount);
    }
}
