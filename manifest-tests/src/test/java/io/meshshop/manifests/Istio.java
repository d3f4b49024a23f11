package io.meshshop.manifests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatch;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchExact;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.networking.v1.VirtualService;

import static org.junit.jupiter.api.Assertions.fail;

/** Istio's matching and naming rules, as far as meshshop's resources use them. */
final class Istio {

    /** The caller name the tests use for the ingress gateway in call edges. */
    static final String INGRESS = "ingress";

    static final String CLUSTER_DOMAIN = ".svc.cluster.local";

    private Istio() {
    }

    /**
     * One alternative of an HTTP route's match list: each part null when it matches anything. A prefix is
     * Istio's (a string prefix) unless segmentPrefix, the Gateway API's PathPrefix (whole path segments, a
     * trailing slash ignored: /api/orders matches /api/orders and /api/orders/x, never /api/ordersX). A regex
     * must match the whole path, as Envoy's does.
     */
    record Match(String uriExact, String uriPrefix, String method, boolean segmentPrefix, String uriRegex) {

        Match(String uriExact, String uriPrefix, String method) {
            this(uriExact, uriPrefix, method, false, null);
        }

        static Match segmentPrefix(String prefix, String method) {
            return new Match(null, prefix, method, true, null);
        }

        static Match regex(String regex, String method) {
            return new Match(null, null, method, false, regex);
        }

        boolean matches(ServiceFiles.Operation operation) {
            return matchesPath(operation.samplePath()) && (method == null || method.equals(operation.method()));
        }

        boolean matchesPath(String path) {
            if (uriExact != null) {
                return path.equals(uriExact);
            }
            if (uriRegex != null) {
                return path.matches(uriRegex);
            }
            if (uriPrefix == null) {
                return true;
            }
            if (segmentPrefix) {
                String p = uriPrefix.endsWith("/") ? uriPrefix.substring(0, uriPrefix.length() - 1) : uriPrefix;
                return p.isEmpty() || path.equals(p) || path.startsWith(p + "/");
            }
            return path.startsWith(uriPrefix);
        }

        /** The path this match is about, for messages and for checking it sits under a public prefix. */
        String path() {
            return uriExact != null ? uriExact : uriRegex != null ? uriRegex : uriPrefix;
        }

        /** Could a request with this method reach the route? */
        boolean allowsMethodOtherThanGet() {
            return method == null || !method.equals("GET");
        }
    }

    /** The alternatives of a route's match; a route without a match matches everything. */
    static List<Match> matches(HTTPRoute route) {
        List<Match> matches = new ArrayList<>();
        if (route.getMatch().isEmpty()) {
            matches.add(new Match(null, null, null));
        }
        for (HTTPMatchRequest match : route.getMatch()) {
            String exact = null;
            String prefix = null;
            if (match.getUri() != null) {
                Object uri = match.getUri().getMatchType();
                if (uri instanceof StringMatchExact e) {
                    exact = e.getExact();
                } else if (uri instanceof StringMatchPrefix p) {
                    prefix = p.getPrefix();
                } else {
                    fail("meshshop routes match URIs by exact or prefix only, found " + uri);
                }
            }
            matches.add(new Match(exact, prefix, exactValue(match.getMethod(), "method")));
        }
        return matches;
    }

    private static String exactValue(StringMatch match, String what) {
        if (match == null) {
            return null;
        }
        if (match.getMatchType() instanceof StringMatchExact e) {
            return e.getExact();
        }
        return fail("meshshop routes match the " + what + " exactly, found " + match.getMatchType());
    }

    /** Istio AuthorizationPolicy path semantics: exact, "prefix*", "*suffix" or "*". */
    static boolean authorizationPathMatches(String pattern, String path) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.endsWith("*")) {
            return path.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        if (pattern.startsWith("*")) {
            return path.endsWith(pattern.substring(1));
        }
        return path.equals(pattern);
    }

    /** The meshshop Service a host names (user, user.meshshop, user.meshshop.svc.cluster.local), else null. */
    static String serviceOfHost(String host) {
        String suffix = "." + Repo.NAMESPACE;
        String h = host.endsWith(CLUSTER_DOMAIN) ? host.substring(0, host.length() - CLUSTER_DOMAIN.length()) : host;
        if (h.endsWith(suffix)) {
            h = h.substring(0, h.length() - suffix.length());
        }
        return h.contains(".") || h.contains("*") ? null : h;
    }

    static Duration duration(String value, String where) {
        return ServiceFiles.parseDuration(value, where);
    }

    static boolean isIngressRoutes(VirtualService vs) {
        return vs.getSpec().getGateways().stream().anyMatch(g -> !g.equals("mesh"));
    }

    static String describe(VirtualService vs, HTTPRoute route) {
        return "VirtualService " + vs.getMetadata().getName() + " route " + (route.getName() == null ? "?" : route.getName());
    }
}
