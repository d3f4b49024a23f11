package io.meshshop.manifests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.IstioEgressListener;
import io.fabric8.istio.api.api.security.v1beta1.AuthorizationPolicyAction;
import io.fabric8.istio.api.api.security.v1beta1.Operation;
import io.fabric8.istio.api.api.security.v1beta1.PeerAuthenticationMutualTLSMode;
import io.fabric8.istio.api.api.security.v1beta1.Rule;
import io.fabric8.istio.api.api.security.v1beta1.RuleFrom;
import io.fabric8.istio.api.api.security.v1beta1.RuleTo;
import io.fabric8.istio.api.networking.v1.Sidecar;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.security.v1.AuthorizationPolicy;
import io.fabric8.istio.api.security.v1.PeerAuthentication;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Who may call whom: mTLS, the authorization policies and the Sidecars follow the services' call edges. */
class MeshSecurityContractTest {

    private static final String TRACE_COLLECTOR = "istio-system/jaeger-collector.istio-system.svc.cluster.local";

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
    @Test
    void allowPoliciesAreExactlyTheCallEdges() {
        Resources mesh = Resources.mesh();
        List<Edge> allowed = new ArrayList<>();
        for (AuthorizationPolicy p : edgePolicies(mesh)) {
            allowed.add(edgeOf(p));
        }
        assertEquals(new TreeSet<>(allowed).size(), allowed.size(), "more than one ALLOW for an edge: " + allowed);
        assertEquals(expectedEdges(mesh), new TreeSet<>(allowed));
    }

    /** Every operation an ALLOW lets through is one the called service serves. */
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
                    for (String method : op.getMethods()) {
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
    @Test
    void theIngressMayCallEveryOperationItRoutes() {
        Resources mesh = Resources.mesh();
        VirtualService ingress = MeshRoutingContractTest.ingressRoutes(mesh);
        for (String service : List.of("user", "order")) {
            for (ServiceFiles.Operation op : ServiceFiles.operations(service)) {
                HTTPRoute route = MeshRoutingContractTest.firstMatchingRoute(ingress, op);
                if (route != null && MeshRoutingContractTest.destinations(route).contains(service)) {
                    assertTrue(CustomerAuth.allows(mesh.all(AuthorizationPolicy.class), service,
                                    new CustomerAuth.Request(Istio.INGRESS_PRINCIPAL, CustomerAuth.A_CUSTOMER, op)),
                            op + " is routed at the ingress but no policy lets the gateway call " + service);
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

    @Test
    void principalsNameServiceAccountsThatExist() {
        Resources k8s = Resources.dev();
        for (AuthorizationPolicy p : allowPolicies(Resources.mesh())) {
            for (String principal : principals(p)) {
                String prefix = "cluster.local/ns/" + Repo.NAMESPACE + "/sa/";
                if (!principal.equals(Istio.INGRESS_PRINCIPAL)) {
                    assertTrue(principal.startsWith(prefix), p.getMetadata().getName() + ": " + principal);
                    k8s.named(ServiceAccount.class, principal.substring(prefix.length()));
                }
            }
        }
    }

    /** Each proxy knows exactly the services its workload calls, its own database and the trace collector. */
    @Test
    void sidecarsLimitEgressToTheCallEdges() {
        Resources mesh = Resources.mesh();
        for (String service : Repo.SERVICES) {
            List<Sidecar> sidecars = mesh.all(Sidecar.class).stream()
                    .filter(s -> Map.of("app", service).equals(s.getSpec().getWorkloadSelector().getLabels())).toList();
            assertEquals(1, sidecars.size(), "one Sidecar for " + service);
            Set<String> hosts = new TreeSet<>();
            for (IstioEgressListener egress : sidecars.get(0).getSpec().getEgress()) {
                hosts.addAll(egress.getHosts());
            }
            Set<String> expected = new TreeSet<>(Set.of(TRACE_COLLECTOR, "./" + service + "-db." + Repo.NAMESPACE + Istio.CLUSTER_DOMAIN));
            for (String called : ServiceFiles.calledServices(service)) {
                expected.add("./" + called + "." + Repo.NAMESPACE + Istio.CLUSTER_DOMAIN);
            }
            // A proxy that checks customer tokens fetches the signing keys from user itself.
            if (CustomerTokensContractTest.requestAuthentications(mesh).containsKey(service)) {
                expected.add("./" + CustomerAuth.JWKS_SERVICE + "." + Repo.NAMESPACE + Istio.CLUSTER_DOMAIN);
            }
            assertEquals(expected, hosts, "egress of " + service);
        }
    }

    static Set<Edge> expectedEdges(Resources mesh) {
        Set<Edge> edges = new TreeSet<>();
        for (HTTPRoute route : MeshRoutingContractTest.ingressRoutes(mesh).getSpec().getHttp()) {
            MeshRoutingContractTest.destinations(route).forEach(s -> edges.add(new Edge(Istio.INGRESS, s)));
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
    private static Edge edgeOf(AuthorizationPolicy p) {
        String name = p.getMetadata().getName();
        assertNotNull(p.getSpec().getSelector(), name + " selects no workload: it would apply to all");
        Map<String, String> selector = p.getSpec().getSelector().getMatchLabels();
        assertEquals(1, selector.size(), name + " should select by app only");
        String to = selector.get("app");
        assertTrue(Repo.SERVICES.contains(to), name + " selects " + selector);
        Set<String> principals = principals(p);
        assertEquals(1, principals.size(), name + " should allow exactly one caller, found " + principals);
        String principal = principals.iterator().next();
        String from = principal.equals(Istio.INGRESS_PRINCIPAL) ? Istio.INGRESS
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
