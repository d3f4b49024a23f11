package io.meshshop.manifests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The ingress gateway as its proxy will see it, whichever API declares it: Istio's Gateway with the
 * VirtualService bound to it, or the Gateway API's Gateway with its HTTPRoutes (translated as istiod does,
 * pilot/pkg/config/kube/gateway/conversion.go). Tests of the ingress run on these routes, so every check holds
 * for every variant.
 */
final class Ingress {

    /** Where the gateway's pods run, how they are labelled, and the mTLS identity they call the services with. */
    record Identity(String namespace, Map<String, String> podLabels, String principal) {
    }

    /** istioctl's default profile: the identity mesh/ is written for. */
    static final Identity ISTIOCTL_DEFAULT = new Identity("istio-system", Map.of("istio", "ingressgateway"),
            "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account");

    /** Istio's gateway Helm chart installed as documented (helm install istio-ingress istio/gateway -n istio-ingress). */
    static final Identity HELM_CHART = new Identity("istio-ingress", Map.of("istio", "ingress"),
            "cluster.local/ns/istio-ingress/sa/istio-ingress");

    /** The gateways Istio's installers make, by the labels an Istio Gateway selects them with. */
    private static final List<Identity> KNOWN_ISTIO_GATEWAYS = List.of(ISTIOCTL_DEFAULT, HELM_CHART);

    /** The gRPC conditions Istio adds to every Gateway API retry: they act on a grpc-status only, never on HTTP/1. */
    static final Set<String> GRPC_ONLY_CONDITIONS = Set.of("unavailable", "cancelled", "deadline-exceeded", "internal",
            "resource-exhausted");

    /**
     * One route of the gateway. A match is an alternative; destinations are Service names; a route with a
     * direct response (404 here) has none. Retries as Envoy gets them: attempts after the first, per-try
     * timeout, conditions (a status code stands for itself).
     */
    record Route(String where, String name, List<Istio.Match> matches, Set<String> destinations, Integer directResponse,
                 boolean redirect, Duration timeout, int attempts, Duration perTryTimeout, Set<String> retryOn,
                 Set<String> removedHeaders, Set<String> writtenHeaders) {

        boolean matches(ServiceFiles.Operation operation) {
            return matches.stream().anyMatch(m -> m.matches(operation));
        }

        /** Can a request with a method other than GET or HEAD take this route? */
        boolean carriesWrites() {
            return matches.stream().anyMatch(m -> m.method() == null || !Set.of("GET", "HEAD").contains(m.method()));
        }

        @Override
        public String toString() {
            return where;
        }
    }

    private Ingress() {
    }

    /** The gateway's identity in this rendering of mesh/: derived from the Gateway resource, as Istio names things. */
    static Identity identity(Resources mesh) {
        List<io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway> gatewayApi =
                mesh.all(io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class);
        List<Gateway> istio = mesh.all(Gateway.class);
        assertEquals(1, gatewayApi.size() + istio.size(), mesh.source() + ": one ingress Gateway, of either API");
        if (!gatewayApi.isEmpty()) {
            var gateway = gatewayApi.get(0);
            assertEquals("istio", gateway.getSpec().getGatewayClassName(), mesh.source() + ": Istio runs the gateway");
            // istiod deploys "<name>-<class>" (Deployment, Service, service account) with this label on the pods.
            String namespace = gateway.getMetadata().getNamespace();
            String account = gateway.getMetadata().getName() + "-" + gateway.getSpec().getGatewayClassName();
            return new Identity(namespace, Map.of("gateway.networking.k8s.io/gateway-name", gateway.getMetadata().getName()),
                    "cluster.local/ns/" + namespace + "/sa/" + account);
        }
        Map<String, String> selector = istio.get(0).getSpec().getSelector();
        return KNOWN_ISTIO_GATEWAYS.stream().filter(i -> i.podLabels().equals(selector)).findFirst()
                .orElseGet(() -> fail(mesh.source() + ": the Gateway selects " + selector + ", which is no gateway "
                        + "Istio's installers make; add its identity to Ingress.KNOWN_ISTIO_GATEWAYS"));
    }

    /** The gateway's routes, in the order its proxy tries them. */
    static List<Route> routes(Resources mesh) {
        List<VirtualService> bound = mesh.all(VirtualService.class).stream().filter(Istio::isIngressRoutes).toList();
        List<io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute> httpRoutes =
                mesh.all(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class);
        if (!bound.isEmpty()) {
            assertEquals(1, bound.size(), mesh.source() + ": one VirtualService bound to the ingress Gateway");
            assertEquals(List.of(), httpRoutes, mesh.source() + ": the ingress is declared by one API only");
            return fromVirtualService(bound.get(0));
        }
        assertTrue(!httpRoutes.isEmpty(), mesh.source() + " has no ingress routes");
        return fromHttpRoutes(mesh, httpRoutes);
    }

    /** The route the gateway picks for an operation, or null (Envoy's 404). */
    static Route firstMatching(List<Route> routes, ServiceFiles.Operation operation) {
        return routes.stream().filter(r -> r.matches(operation)).findFirst().orElse(null);
    }

    private static List<Route> fromVirtualService(VirtualService vs) {
        List<Route> routes = new ArrayList<>();
        for (HTTPRoute route : vs.getSpec().getHttp()) {
            Set<String> destinations = new TreeSet<>();
            for (HTTPRouteDestination d : route.getRoute()) {
                destinations.add(Istio.serviceOfHost(d.getDestination().getHost()));
            }
            int attempts = route.getRetries() == null || route.getRetries().getAttempts() == null ? 2 : route.getRetries().getAttempts();
            Set<String> retryOn = new LinkedHashSet<>();
            Duration perTry = null;
            if (route.getRetries() == null) {
                // Istio's default retry policy for a route that names none.
                retryOn.addAll(List.of("connect-failure", "refused-stream", "unavailable", "cancelled", "503"));
            } else if (attempts > 0) {
                if (route.getRetries().getRetryOn() != null) {
                    for (String condition : route.getRetries().getRetryOn().split(",")) {
                        retryOn.add(condition.trim());
                    }
                }
                if (route.getRetries().getPerTryTimeout() != null) {
                    perTry = Istio.duration(route.getRetries().getPerTryTimeout(), Istio.describe(vs, route) + " perTryTimeout");
                }
            }
            Set<String> removed = new TreeSet<>();
            Set<String> written = new TreeSet<>();
            if (route.getHeaders() != null && route.getHeaders().getRequest() != null) {
                route.getHeaders().getRequest().getRemove().forEach(h -> removed.add(h.toLowerCase(Locale.ROOT)));
                for (Map<String, String> headers : java.util.Arrays.asList(route.getHeaders().getRequest().getSet(),
                        route.getHeaders().getRequest().getAdd())) {
                    if (headers != null) {
                        headers.keySet().forEach(h -> written.add(h.toLowerCase(Locale.ROOT)));
                    }
                }
            }
            routes.add(new Route(Istio.describe(vs, route), route.getName(), Istio.matches(route), destinations,
                    route.getDirectResponse() == null ? null : Math.toIntExact(route.getDirectResponse().getStatus()),
                    route.getRedirect() != null,
                    route.getTimeout() == null ? null : Istio.duration(route.getTimeout(), Istio.describe(vs, route) + " timeout"),
                    attempts, perTry, retryOn, removed, written));
        }
        return routes;
    }

    /**
     * istiod's translation: each match of a rule becomes a route of its own; the routes of every HTTPRoute of
     * the Gateway are sorted by match kind (Exact, then PathPrefix, then RegularExpression), then the longer
     * path, then those that also match a method.
     */
    private static List<Route> fromHttpRoutes(Resources mesh, List<io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute> httpRoutes) {
        Identity gateway = identity(mesh);
        record Ranked(Route route, int rank, int length, boolean method) {
        }
        List<Ranked> ranked = new ArrayList<>();
        for (var httpRoute : httpRoutes) {
            String name = httpRoute.getMetadata().getName();
            for (ParentReference parent : httpRoute.getSpec().getParentRefs()) {
                String namespace = parent.getNamespace() != null ? parent.getNamespace() : httpRoute.getMetadata().getNamespace();
                assertEquals(gateway.namespace(), namespace, "HTTPRoute " + name + ": parent in the gateway's namespace");
                assertEquals(Map.of("gateway.networking.k8s.io/gateway-name", parent.getName()), gateway.podLabels(),
                        "HTTPRoute " + name + " attaches to another Gateway (" + parent.getName() + ")");
            }
            for (HTTPRouteRule rule : httpRoute.getSpec().getRules()) {
                String where = "HTTPRoute " + name + " rule " + rule.getName();
                for (HTTPRouteMatch match : rule.getMatches()) {
                    String type = match.getPath() == null ? "PathPrefix" : match.getPath().getType();
                    String value = match.getPath() == null ? "/" : match.getPath().getValue();
                    String method = match.getMethod();
                    assertTrue(match.getHeaders().isEmpty() && match.getQueryParams().isEmpty(), where + ": paths and methods only");
                    Istio.Match m;
                    int rank;
                    switch (type) {
                        case "Exact" -> {
                            m = new Istio.Match(value, null, method);
                            rank = 3;
                        }
                        case "PathPrefix" -> {
                            m = Istio.Match.segmentPrefix(value, method);
                            rank = 2;
                        }
                        case "RegularExpression" -> {
                            m = Istio.Match.regex(value, method);
                            rank = 1;
                        }
                        default -> {
                            return fail(where + ": path type " + type);
                        }
                    }
                    ranked.add(new Ranked(route(where, rule, m), rank, value.length(), method != null));
                }
            }
        }
        ranked.sort(Comparator.comparingInt((Ranked r) -> -r.rank()).thenComparingInt(r -> -r.length())
                .thenComparing(r -> !r.method()));
        return ranked.stream().map(Ranked::route).toList();
    }

    private static Route route(String where, HTTPRouteRule rule, Istio.Match match) {
        Set<String> destinations = new TreeSet<>();
        for (HTTPBackendRef backend : rule.getBackendRefs()) {
            assertTrue(backend.getKind() == null || backend.getKind().equals("Service"), where + ": backends are Services");
            assertTrue(backend.getNamespace() == null, where + ": backends in the route's namespace");
            destinations.add(backend.getName());
        }
        Set<String> removed = new TreeSet<>();
        Set<String> written = new TreeSet<>();
        boolean redirect = false;
        for (HTTPRouteFilter filter : rule.getFilters()) {
            switch (filter.getType()) {
                case "RequestHeaderModifier" -> {
                    HTTPHeaderFilter headers = filter.getRequestHeaderModifier();
                    headers.getRemove().forEach(h -> removed.add(h.toLowerCase(Locale.ROOT)));
                    headers.getSet().forEach(h -> written.add(h.getName().toLowerCase(Locale.ROOT)));
                    headers.getAdd().forEach(h -> written.add(h.getName().toLowerCase(Locale.ROOT)));
                }
                case "RequestRedirect" -> redirect = true;
                default -> fail(where + ": filter " + filter.getType() + " is not one meshshop uses");
            }
        }
        Duration timeout = null;
        Duration backend = null;
        if (rule.getTimeouts() != null) {
            if (rule.getTimeouts().getRequest() != null) {
                timeout = Istio.duration(rule.getTimeouts().getRequest(), where + " timeouts.request");
            }
            if (rule.getTimeouts().getBackendRequest() != null) {
                backend = Istio.duration(rule.getTimeouts().getBackendRequest(), where + " timeouts.backendRequest");
            }
        }
        int attempts;
        Set<String> retryOn = new LinkedHashSet<>();
        Duration perTry = null;
        if (rule.getRetry() == null) {
            // No retry stanza: the route gets Istio's default policy, 503 included.
            attempts = 2;
            retryOn.addAll(List.of("connect-failure", "refused-stream", "unavailable", "cancelled", "503"));
            if (backend != null) {
                timeout = backend;
            }
        } else {
            attempts = rule.getRetry().getAttempts() == null ? 2 : rule.getRetry().getAttempts();
            if (attempts > 0) {
                retryOn.addAll(List.of("connect-failure", "refused-stream", "unavailable", "cancelled"));
                rule.getRetry().getCodes().forEach(code -> retryOn.add(String.valueOf(code)));
            }
            perTry = backend;
        }
        return new Route(where, rule.getName(), List.of(match), destinations, null, redirect, timeout, attempts, perTry,
                retryOn, removed, written);
    }
}
