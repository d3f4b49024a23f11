package io.meshshop.manifests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.istio.api.api.security.v1beta1.AuthorizationPolicyAction;
import io.fabric8.istio.api.api.security.v1beta1.Operation;
import io.fabric8.istio.api.api.security.v1beta1.Rule;
import io.fabric8.istio.api.api.security.v1beta1.RuleFrom;
import io.fabric8.istio.api.api.security.v1beta1.RuleTo;
import io.fabric8.istio.api.api.security.v1beta1.Source;
import io.fabric8.istio.api.security.v1.AuthorizationPolicy;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The customers contract (issue 13) as far as the mesh enforces it: whose tokens count, which operations are
 * open without one, and Istio's rules for deciding whether an AuthorizationPolicy lets a request through.
 */
final class CustomerAuth {

    /** The issuer of customer tokens (the user service): the contract's default of auth.issuer. */
    static final String ISSUER = "https://meshshop.dev/auth";
    static final String AUDIENCE = "meshshop";
    /** A request principal is "iss/sub": this pattern is any customer of meshshop's issuer. */
    static final String ANY_CUSTOMER = ISSUER + "/*";
    /** A request principal as Envoy derives it from a verified token. */
    static final String A_CUSTOMER = ISSUER + "/0b9d1d5e-3f0c-4c41-9a57-3d3c1a2f6e10";

    /** Where user publishes the public keys. A string here: user's OpenAPI gains the route with its own change. */
    static final String JWKS_PATH = "/.well-known/jwks.json";
    static final String JWKS_SERVICE = "user";

    /** The headers a client might send to pass for someone; the ingress removes them (and any configured claim header). */
    static final Set<String> IDENTITY_HEADERS = Set.of("x-jwt-payload", "end-user");

    /**
     * The operations open without a customer token, as AuthorizationPolicy (method, path) pairs: the catalogue,
     * registering, signing in and the public keys. Every other operation a policy lets into user or order must
     * require a verified customer.
     */
    static final Set<ServiceFiles.Operation> OPEN = Set.of(
            new ServiceFiles.Operation("GET", "/api/products"),
            new ServiceFiles.Operation("GET", "/api/products/*"),
            new ServiceFiles.Operation("POST", "/api/users"),
            new ServiceFiles.Operation("POST", "/api/sessions"),
            new ServiceFiles.Operation("GET", JWKS_PATH));

    /**
     * Every operation of the contract that a customer may call through the ingress, per service: beside the
     * services' OpenAPI documents, because on this branch user's does not have all of them yet.
     */
    static final Map<String, List<ServiceFiles.Operation>> CUSTOMER_OPERATIONS = Map.of(
            "user", List.of(op("POST /api/users"), op("POST /api/sessions"), op("GET " + JWKS_PATH),
                    op("GET /api/users/me"), op("PUT /api/users/me"), op("DELETE /api/users/me"),
                    op("GET /api/users/{id}"), op("PUT /api/users/{id}"), op("DELETE /api/users/{id}")),
            "order", List.of(op("GET /api/products"), op("GET /api/products/{sku}"), op("POST /api/orders"),
                    op("GET /api/orders"), op("GET /api/orders/{id}"), op("POST /api/orders/{id}/cancel")));

    /** Listing users and finding one by e-mail: admins only, inside the cluster; never routed at the ingress. */
    static final ServiceFiles.Operation LIST_USERS = op("GET /api/users");

    private CustomerAuth() {
    }

    static ServiceFiles.Operation op(String methodAndPath) {
        String[] parts = methodAndPath.split(" ", 2);
        return new ServiceFiles.Operation(parts[0], parts[1]);
    }

    /** Is this (method, path template) open without a token? Concrete paths are matched like a policy would. */
    static boolean isOpen(ServiceFiles.Operation operation) {
        return OPEN.stream().anyMatch(open -> open.method().equals(operation.method())
                && Istio.authorizationPathMatches(open.path(), operation.samplePath()));
    }

    /** A request as a workload's proxy sees it: the caller's mTLS principal and, with a verified token, its request principal. */
    record Request(String principal, String requestPrincipal, ServiceFiles.Operation operation) {
    }

    /**
     * Istio's decision for a request to a meshshop workload: the ALLOW policies of the namespace that select the
     * workload (by app) or all of it; allowed if any rule matches. meshshop uses no DENY, CUSTOM or AUDIT policy
     * and of the negative or extra fields only notPaths (the storefront's); finding another (notMethods,
     * namespaces, when...) fails, since this evaluator would not judge it.
     */
    static boolean allows(List<AuthorizationPolicy> policies, String app, Request request) {
        List<AuthorizationPolicy> applicable = new ArrayList<>();
        for (AuthorizationPolicy p : policies) {
            if (!Repo.NAMESPACE.equals(p.getMetadata().getNamespace())) {
                continue;
            }
            boolean selects = p.getSpec().getSelector() == null
                    || Map.of("app", app).equals(p.getSpec().getSelector().getMatchLabels());
            if (!selects) {
                continue;
            }
            assertTrue(p.getSpec().getAction() == null || p.getSpec().getAction() == AuthorizationPolicyAction.ALLOW,
                    p.getMetadata().getName() + ": the evaluator knows ALLOW policies only");
            applicable.add(p);
        }
        if (applicable.isEmpty()) {
            return true; // Istio: no ALLOW policy for a workload allows everything
        }
        for (AuthorizationPolicy p : applicable) {
            for (Rule rule : p.getSpec().getRules()) {
                if (ruleMatches(p.getMetadata().getName(), rule, request)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean ruleMatches(String policy, Rule rule, Request request) {
        assertTrue(rule.getWhen().isEmpty(), policy + ": the evaluator does not know `when` conditions");
        boolean from = rule.getFrom().isEmpty();
        for (RuleFrom f : rule.getFrom()) {
            from |= sourceMatches(policy, f.getSource(), request);
        }
        boolean to = rule.getTo().isEmpty();
        for (RuleTo t : rule.getTo()) {
            to |= operationMatches(policy, t.getOperation(), request.operation());
        }
        return from && to;
    }

    private static boolean sourceMatches(String policy, Source s, Request request) {
        assertTrue(s.getNotPrincipals().isEmpty() && s.getNotRequestPrincipals().isEmpty() && s.getNamespaces().isEmpty()
                        && s.getNotNamespaces().isEmpty() && s.getIpBlocks().isEmpty() && s.getNotIpBlocks().isEmpty()
                        && s.getRemoteIpBlocks().isEmpty() && s.getNotRemoteIpBlocks().isEmpty()
                        && s.getServiceAccounts().isEmpty() && s.getNotServiceAccounts().isEmpty(),
                policy + ": sources name principals and request principals only");
        return anyMatches(s.getPrincipals(), request.principal())
                && anyMatches(s.getRequestPrincipals(), request.requestPrincipal());
    }

    private static boolean operationMatches(String policy, Operation o, ServiceFiles.Operation operation) {
        assertTrue(o.getNotMethods().isEmpty() && o.getHosts().isEmpty()
                        && o.getNotHosts().isEmpty() && o.getPorts().isEmpty() && o.getNotPorts().isEmpty(),
                policy + ": operations name methods, paths and excluded paths only");
        return (o.getMethods().isEmpty() || o.getMethods().contains(operation.method()))
                && anyMatches(o.getPaths(), operation.samplePath())
                && (o.getNotPaths().isEmpty() || !anyMatches(o.getNotPaths(), operation.samplePath()));
    }

    /** An empty list matches anything; otherwise one of Istio's patterns (exact, prefix*, *suffix, *) must match. */
    private static boolean anyMatches(List<String> patterns, String value) {
        if (patterns.isEmpty()) {
            return true;
        }
        return value != null && patterns.stream().anyMatch(p -> Istio.authorizationPathMatches(p, value));
    }
}
