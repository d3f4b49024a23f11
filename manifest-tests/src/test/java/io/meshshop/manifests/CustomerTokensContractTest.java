package io.meshshop.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.fabric8.istio.api.api.networking.v1alpha3.IstioEgressListener;
import io.fabric8.istio.api.api.security.v1beta1.ClaimToHeader;
import io.fabric8.istio.api.api.security.v1beta1.JWTHeader;
import io.fabric8.istio.api.api.security.v1beta1.JWTRule;
import io.fabric8.istio.api.api.security.v1beta1.Operation;
import io.fabric8.istio.api.api.security.v1beta1.Rule;
import io.fabric8.istio.api.api.security.v1beta1.RuleFrom;
import io.fabric8.istio.api.api.security.v1beta1.RuleTo;
import io.fabric8.istio.api.networking.v1.Sidecar;
import io.fabric8.istio.api.security.v1.AuthorizationPolicy;
import io.fabric8.istio.api.security.v1.RequestAuthentication;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
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

/**
 * Customer tokens at the mesh (issue 13): which tokens the gateway and the proxies of user and order accept,
 * that every protected route needs a verified customer, how the proxies get the signing keys under STRICT
 * mTLS, that the ingress strips identity headers, and where the signing keys live.
 */
class CustomerTokensContractTest {

    /** A stand-in app name for the ingress gateway's proxy in the look-ups below. */
    private static final String GATEWAY = "istio-ingressgateway";
    private static final String SIGNING_KEYS_SECRET = "user-signing-keys";
    private static final String SIGNING_KEYS_DIR = "/etc/meshshop/signing-keys";
    private static final String SIGNING_KEYS_FILE = SIGNING_KEYS_DIR + "/jwks.json";
    private static final String LOADGEN_AUTHORIZATION = "k8s/jobs/loadgen-authorization.yaml";

    static Stream<Named<Resources>> meshes() {
        return MeshRoutingContractTest.meshes();
    }

    /**
     * Exactly three RequestAuthentications: at the ingress gateway (beside it, in istio-system) and on user and
     * order; payment takes no tokens. Each accepts only meshshop's own issuer and audience, reads the token from
     * the Authorization header only, keeps that header for the services (which check the token again), and
     * fetches the keys from user's JWKS route.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void gatewayUserAndOrderAcceptOnlyMeshshopsOwnTokens(Resources mesh) {
        Map<String, RequestAuthentication> byWorkload = requestAuthentications(mesh);
        assertEquals(Set.of(GATEWAY, "user", "order"), byWorkload.keySet(), "RequestAuthentications by the workload they select");
        for (Map.Entry<String, RequestAuthentication> e : byWorkload.entrySet()) {
            String where = "RequestAuthentication " + e.getValue().getMetadata().getName();
            List<JWTRule> rules = e.getValue().getSpec().getJwtRules();
            assertEquals(1, rules.size(), where + ": one issuer, meshshop's own");
            JWTRule rule = rules.get(0);
            assertEquals(CustomerAuth.ISSUER, rule.getIssuer(), where + " issuer");
            assertEquals(List.of(CustomerAuth.AUDIENCE), rule.getAudiences(), where + " audiences");
            assertEquals(jwksUri(), rule.getJwksUri(), where + " jwksUri");
            assertNull(rule.getJwks(), where + ": keys inlined in a manifest would not follow a rotation");
            assertEquals(Boolean.TRUE, rule.getForwardOriginalToken(),
                    where + ": without forwardOriginalToken Envoy removes the token, and the services (which check it again) would answer 401");
            assertEquals(1, rule.getFromHeaders().size(), where + ": the token comes from one place");
            JWTHeader header = rule.getFromHeaders().get(0);
            assertEquals("authorization", header.getName().toLowerCase(java.util.Locale.ROOT), where);
            assertEquals("Bearer ", header.getPrefix(), where);
            assertTrue(rule.getFromParams().isEmpty() && rule.getFromCookies().isEmpty(),
                    where + ": never from a query parameter (access logs keep the path) or a cookie");
        }
        assertEquals(Ingress.identity(mesh).namespace(), byWorkload.get(GATEWAY).getMetadata().getNamespace(),
                "the gateway's is beside the gateway");
        assertEquals(Repo.NAMESPACE, byWorkload.get("user").getMetadata().getNamespace());
        assertEquals(Repo.NAMESPACE, byWorkload.get("order").getMetadata().getNamespace());
    }

    /** The jwksUri names user's Service, on its port, by the name every proxy (the gateway's too, in istio-system) resolves. */
    @Test
    void jwksUriIsUsersRouteThroughItsService() {
        URI uri = URI.create(jwksUri());
        assertEquals("http", uri.getScheme(), "inside the mesh the proxies add mTLS; https here would be TLS inside mTLS");
        assertEquals(CustomerAuth.JWKS_SERVICE + "." + Repo.NAMESPACE + Istio.CLUSTER_DOMAIN, uri.getHost(),
                "the fully qualified name: istiod finds the Envoy cluster by it, from any namespace");
        Service user = Resources.dev().named(Service.class, CustomerAuth.JWKS_SERVICE);
        assertTrue(user.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == uri.getPort()),
                "Service user has no port " + uri.getPort());
        // Tested against the path string: user's OpenAPI declares the route with the user service's own change.
        assertEquals(CustomerAuth.JWKS_PATH, uri.getPath());
    }

    /**
     * istiod is outside the mesh: its own fetch of the jwksUri would be refused by user's STRICT mTLS. The
     * installation makes the proxies fetch the keys themselves (through their mTLS cluster for user), so each
     * proxy with a RequestAuthentication must know user's host (a Sidecar's egress limits the clusters a proxy
     * has; istiod does not add the jwksUri's for sidecars). The mTLS stays STRICT without a port exception
     * (MeshSecurityContractTest.everyWorkloadAcceptsOnlyMutualTls).
     */
    @Test
    void proxiesFetchTheSigningKeysThemselvesOverMutualTls() {
        Map<String, String> istiodEnv = TelemetryAndInstallTest.install(TelemetryAndInstallTest.JWKS_FETCH_INSTALL)
                .spec().values().pilot().env();
        assertTrue(Set.of("hybrid", "true", "envoy").contains(istiodEnv.get("PILOT_JWT_ENABLE_REMOTE_JWKS")),
                TelemetryAndInstallTest.JWKS_FETCH_INSTALL + ": PILOT_JWT_ENABLE_REMOTE_JWKS must let the proxies fetch, found " + istiodEnv);
        Resources mesh = Resources.mesh();
        String jwksHost = "./" + URI.create(jwksUri()).getHost();
        for (String app : List.of("user", "order")) {
            Sidecar sidecar = mesh.all(Sidecar.class).stream()
                    .filter(s -> Map.of("app", app).equals(s.getSpec().getWorkloadSelector().getLabels()))
                    .findFirst().orElseGet(() -> fail("no Sidecar for " + app));
            Set<String> hosts = new TreeSet<>();
            for (IstioEgressListener egress : sidecar.getSpec().getEgress()) {
                hosts.addAll(egress.getHosts());
            }
            assertTrue(hosts.contains(jwksHost), "Sidecar " + app + " must list " + jwksHost + ", or its proxy cannot fetch the keys: " + hosts);
        }
    }

    /**
     * The fetch of the keys carries the fetching proxy's (or order's) identity and no customer token: one policy
     * allows exactly those callers to GET the JWKS and nothing else.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void exactlyTheTokenCheckersMayFetchTheSigningKeys(Resources mesh) {
        List<AuthorizationPolicy> fetch = keyFetchPolicies(mesh);
        assertEquals(1, fetch.size(), "one AuthorizationPolicy for the fetch of the signing keys");
        AuthorizationPolicy p = fetch.get(0);
        assertEquals(Map.of("app", CustomerAuth.JWKS_SERVICE), p.getSpec().getSelector().getMatchLabels());
        Set<String> allowed = new TreeSet<>();
        for (Rule rule : p.getSpec().getRules()) {
            for (RuleFrom from : rule.getFrom()) {
                assertTrue(from.getSource().getRequestPrincipals().isEmpty(), "a key fetch carries no customer token");
                allowed.addAll(from.getSource().getPrincipals());
            }
        }
        Set<String> checkers = new TreeSet<>();
        checkers.add(Ingress.identity(mesh).principal());
        for (String app : requestAuthentications(mesh).keySet()) {
            if (!app.equals(GATEWAY)) {
                checkers.add("cluster.local/ns/" + Repo.NAMESPACE + "/sa/" + app);
            }
        }
        Resources dev = Resources.dev();
        for (Resources.Workload w : dev.serviceWorkloads()) {
            String url = dev.environment(w.app()).get("AUTH_JWKS_URL");
            if (url != null) {
                checkers.add("cluster.local/ns/" + Repo.NAMESPACE + "/sa/" + w.template().getSpec().getServiceAccountName());
                URI fromApp = URI.create(url);
                URI fromMesh = URI.create(jwksUri());
                assertEquals(CustomerAuth.JWKS_SERVICE, Istio.serviceOfHost(fromApp.getHost()), w + ": AUTH_JWKS_URL " + url);
                assertEquals(fromMesh.getPort(), fromApp.getPort(), w + ": AUTH_JWKS_URL " + url);
                assertEquals(fromMesh.getPath(), fromApp.getPath(), w + ": AUTH_JWKS_URL names another document than the mesh's jwksUri");
            }
        }
        assertEquals(checkers, allowed, "the proxies with a RequestAuthentication and the services with AUTH_JWKS_URL");
    }

    /**
     * Every rule of every AuthorizationPolicy that lets traffic into user or order (mesh/, mesh/ with its optional
     * components, and the load generator's in k8s/jobs) either allows only open operations or requires a verified
     * customer of meshshop's issuer; and wherever a rule asks for one, a RequestAuthentication provides it.
     */
    @Test
    void everyProtectedRouteRequiresAVerifiedCustomer() {
        Set<String> withTokenCheck = requestAuthentications(Resources.mesh()).keySet();
        int protectedRules = 0;
        for (AuthorizationPolicy p : policiesIntoUserOrOrder()) {
            String app = p.getSpec().getSelector().getMatchLabels().get("app");
            for (Rule rule : p.getSpec().getRules()) {
                assertFalse(rule.getFrom().isEmpty(), p.getMetadata().getName() + ": a rule without a source allows anyone");
                for (RuleFrom from : rule.getFrom()) {
                    List<String> requestPrincipals = from.getSource().getRequestPrincipals();
                    boolean needsCustomer = !requestPrincipals.isEmpty();
                    if (needsCustomer) {
                        protectedRules++;
                        assertEquals(List.of(CustomerAuth.ANY_CUSTOMER), requestPrincipals,
                                p.getMetadata().getName() + ": a customer of meshshop's own issuer");
                        assertTrue(withTokenCheck.contains(app), p.getMetadata().getName() + " asks for a customer, but no"
                                + " RequestAuthentication selects " + app + ", so no request would ever have one");
                    }
                    for (RuleTo to : rule.getTo()) {
                        Operation operation = to.getOperation();
                        assertFalse(operation.getMethods().isEmpty() || operation.getPaths().isEmpty(),
                                p.getMetadata().getName() + ": name methods and paths, or the rule covers every operation");
                        assertTrue(operation.getNotMethods().isEmpty() && operation.getNotPaths().isEmpty(),
                                p.getMetadata().getName() + ": no notMethods/notPaths (they allow everything else)");
                        for (String method : operation.getMethods()) {
                            for (String path : operation.getPaths()) {
                                ServiceFiles.Operation allowed = new ServiceFiles.Operation(method, path);
                                assertTrue(needsCustomer || CustomerAuth.OPEN.contains(allowed), p.getMetadata().getName()
                                        + " lets " + allowed + " into " + app + " without a verified customer; open are only "
                                        + CustomerAuth.OPEN);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(protectedRules > 0, "no rule asks for a customer at all");
    }

    /**
     * The same, as Istio would decide: through the ingress, every customer operation of the contract and of the
     * OpenAPI documents reaches its service without a token only if it is open, and with a token if it is routed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void withoutATokenTheGatewayReachesOnlyTheOpenOperations(Resources mesh) {
        List<AuthorizationPolicy> policies = mesh.all(AuthorizationPolicy.class);
        List<Ingress.Route> ingress = Ingress.routes(mesh);
        String gateway = Ingress.identity(mesh).principal();
        for (String service : List.of("user", "order")) {
            Set<ServiceFiles.Operation> operations = new java.util.LinkedHashSet<>(CustomerAuth.CUSTOMER_OPERATIONS.get(service));
            operations.addAll(ServiceFiles.operations(service));
            for (ServiceFiles.Operation op : operations) {
                boolean anonymous = CustomerAuth.allows(policies, service, new CustomerAuth.Request(gateway, null, op));
                boolean customer = CustomerAuth.allows(policies, service, new CustomerAuth.Request(gateway, CustomerAuth.A_CUSTOMER, op));
                Ingress.Route route = Ingress.firstMatching(ingress, op);
                boolean routed = route != null && route.destinations().contains(service);
                assertEquals(CustomerAuth.isOpen(op), anonymous, service + ": " + op + " from the gateway without a token");
                assertEquals(routed, customer, service + ": " + op + " from the gateway with a customer's token"
                        + (routed ? " is routed but refused" : " is allowed but not routed"));
                boolean otherIssuer = CustomerAuth.allows(policies, service,
                        new CustomerAuth.Request(gateway, "https://issuer.example/" + "someone", op));
                assertEquals(anonymous, otherIssuer, service + ": " + op + ": a token of another issuer must count for nothing");
            }
        }
    }

    /** order -> user carries the customer's token and needs it; order -> payment carries none and needs none. */
    @Test
    void orderCallsUserAsTheCustomerAndPaymentAsItself() {
        List<AuthorizationPolicy> policies = Resources.mesh().all(AuthorizationPolicy.class);
        String order = "cluster.local/ns/" + Repo.NAMESPACE + "/sa/order";
        for (ServiceFiles.Operation op : List.of(CustomerAuth.op("GET /api/users/{id}"), CustomerAuth.op("GET /api/users/me"))) {
            assertTrue(CustomerAuth.allows(policies, "user", new CustomerAuth.Request(order, CustomerAuth.A_CUSTOMER, op)),
                    "order with the customer's token cannot " + op);
            assertFalse(CustomerAuth.allows(policies, "user", new CustomerAuth.Request(order, null, op)),
                    "order's identity alone must not open " + op + " on user");
        }
        assertFalse(CustomerAuth.allows(policies, "user", new CustomerAuth.Request(order, CustomerAuth.A_CUSTOMER, CustomerAuth.LIST_USERS)),
                "order must not list users, with or without a token");
        for (ServiceFiles.Operation op : List.of(CustomerAuth.op("POST /api/payments"), CustomerAuth.op("POST /api/payments/{id}/refunds"),
                CustomerAuth.op("GET /api/payments"), CustomerAuth.op("GET /api/payments/{id}"))) {
            assertTrue(CustomerAuth.allows(policies, "payment", new CustomerAuth.Request(order, null, op)),
                    "order calls payment without a customer's token (recovery has none): " + op);
        }
        for (String caller : List.of(Ingress.identity(Resources.mesh()).principal(), "cluster.local/ns/" + Repo.NAMESPACE + "/sa/user")) {
            assertFalse(CustomerAuth.allows(policies, "payment", new CustomerAuth.Request(caller, CustomerAuth.A_CUSTOMER,
                    CustomerAuth.op("POST /api/payments"))), caller + " must not reach payment, token or not");
        }
    }

    /**
     * Every ingress route removes the identity headers a client might send, and every header that any
     * RequestAuthentication would fill from a verified token (Envoy appends those, so a client's copy would
     * survive beside the verified one). The gateway itself writes none: its own routes would remove them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void ingressStripsIdentityHeaders(Resources mesh) {
        Set<String> identityHeaders = new TreeSet<>(CustomerAuth.IDENTITY_HEADERS);
        for (Map.Entry<String, RequestAuthentication> e : requestAuthentications(mesh).entrySet()) {
            Set<String> written = new TreeSet<>();
            for (JWTRule rule : e.getValue().getSpec().getJwtRules()) {
                if (rule.getOutputPayloadToHeader() != null) {
                    written.add(rule.getOutputPayloadToHeader().toLowerCase(java.util.Locale.ROOT));
                }
                for (ClaimToHeader claim : rule.getOutputClaimToHeaders()) {
                    written.add(claim.getHeader().toLowerCase(java.util.Locale.ROOT));
                }
            }
            if (e.getKey().equals(GATEWAY)) {
                assertEquals(Set.of(), written, "the gateway's routes remove identity headers after its token check: it must write none");
            }
            identityHeaders.addAll(written);
        }
        Set<String> removedEverywhere = new TreeSet<>(identityHeaders);
        // A client's W3C baggage is untrusted input the services would forward and parse (docs/security.md).
        removedEverywhere.add("baggage");
        for (Ingress.Route route : Ingress.routes(mesh)) {
            assertTrue(route.removedHeaders().containsAll(removedEverywhere),
                    route + " removes " + route.removedHeaders() + ", not all of " + removedEverywhere);
            route.writtenHeaders().forEach(h -> assertFalse(identityHeaders.contains(h), route + " sets identity header " + h));
        }
    }

    /** The users list (and finding one by e-mail) and the services' own endpoints are not routed, by any method. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("meshes")
    void theUsersListAndTheServiceEndpointsAreNotRouted(Resources mesh) {
        List<Ingress.Route> ingress = Ingress.routes(mesh);
        List<AuthorizationPolicy> policies = mesh.all(AuthorizationPolicy.class);
        String gateway = Ingress.identity(mesh).principal();
        for (String method : List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
            for (String path : List.of("/api/users", "/api/payments", "/observe/health/ready", "/observe/metrics", "/openapi")) {
                ServiceFiles.Operation op = new ServiceFiles.Operation(method, path);
                Ingress.Route route = Ingress.firstMatching(ingress, op);
                if (op.equals(CustomerAuth.op("POST /api/users"))) {
                    assertTrue(route != null && route.destinations().equals(Set.of("user")), "registering (POST /api/users) is routed to user");
                } else if (route != null && route.destinations().equals(Set.of("storefront"))) {
                    // The Gateway API's "/" rule takes what no API rule matched: the storefront's proxy refuses it.
                    assertFalse(CustomerAuth.allows(policies, "storefront", new CustomerAuth.Request(gateway, CustomerAuth.A_CUSTOMER, op)),
                            () -> op + " falls through to the storefront (" + route + "), whose policy must refuse it");
                } else {
                    assertTrue(route == null || route.destinations().isEmpty(),
                            () -> op + " must not be routed, but " + route + " routes it to " + route.destinations());
                }
            }
        }
        for (String path : List.of("/api/users/me", "/api/users/3f7c2d1e-0000-4000-8000-000000000001")) {
            Ingress.Route route = Ingress.firstMatching(ingress, new ServiceFiles.Operation("GET", path));
            assertTrue(route != null && route.destinations().equals(Set.of("user")),
                    "GET " + path + " is a customer's own account and must be routed to user");
        }
    }

    /** Istio's test issuer has a published private key: anyone can mint its tokens. Nothing may trust it. */
    @Test
    void nothingTrustsIstiosPublicTestIssuer() {
        List<String> found = new ArrayList<>();
        for (String place : List.of("k8s", "mesh", "scripts", "docs", "README.md")) {
            for (Path file : textFilesUnder(Repo.path(place))) {
                String text = readText(file);
                for (String marker : List.of("testing@secure.istio.io", "raw.githubusercontent.com/istio")) {
                    if (text.contains(marker)) {
                        found.add(Repo.root().relativize(file) + ": " + marker);
                    }
                }
            }
        }
        assertEquals(List.of(), found, "references to Istio's public test issuer");
        for (Resources mesh : List.of(Resources.mesh(), Resources.meshWithOptional())) {
            for (RequestAuthentication ra : mesh.all(RequestAuthentication.class)) {
                ra.getSpec().getJwtRules().forEach(rule -> assertEquals(CustomerAuth.ISSUER, rule.getIssuer(),
                        mesh.source() + ": RequestAuthentication " + ra.getMetadata().getName()));
            }
        }
    }

    /** The services check the same issuer and audience as the mesh (auth.issuer, auth.audience of the contract). */
    @Test
    void servicesAndMeshAgreeOnIssuerAndAudience() {
        for (Resources k8s : List.of(Resources.dev(), Resources.prod())) {
            for (String app : List.of("user", "order")) {
                Map<String, String> env = k8s.environment(k8s.serviceWorkload(app).app());
                assertEquals(CustomerAuth.ISSUER, env.get("AUTH_ISSUER"), k8s.source() + " " + app + " AUTH_ISSUER");
                assertEquals(CustomerAuth.AUDIENCE, env.get("AUTH_AUDIENCE"), k8s.source() + " " + app + " AUTH_AUDIENCE");
            }
            assertEquals("http://user:8080" + CustomerAuth.JWKS_PATH,
                    k8s.environment(k8s.serviceWorkload("order").app()).get("AUTH_JWKS_URL"), k8s.source() + " order AUTH_JWKS_URL");
            Map<String, String> payment = k8s.environment(k8s.serviceWorkload("payment").app());
            assertTrue(payment.keySet().stream().noneMatch(k -> k.startsWith("AUTH_")), "payment takes no tokens: " + payment.keySet());
        }
    }

    /**
     * user signs with the keys of the Secret user-signing-keys, mounted read-only, and never generates its own in
     * the cluster (every replica must sign with the same keys). No overlay contains that Secret, and no private key
     * is committed: scripts/kind-up.sh makes one for dev (KindScriptTest), prod expects it to exist.
     */
    @Test
    void userSignsWithKeysFromASecretThatNoManifestContains() {
        for (Resources k8s : List.of(Resources.dev(), Resources.prod(), Resources.devWithOptional())) {
            Resources.Workload user = k8s.serviceWorkload("user");
            Map<String, String> env = k8s.environment(user.app());
            assertEquals(SIGNING_KEYS_FILE, env.get("AUTH_SIGNING_KEYS"), k8s.source() + " user AUTH_SIGNING_KEYS");
            assertEquals("false", env.get("AUTH_GENERATE_SIGNING_KEYS"), k8s.source() + " user AUTH_GENERATE_SIGNING_KEYS");
            VolumeMount mount = user.app().getVolumeMounts().stream().filter(m -> SIGNING_KEYS_DIR.equals(m.getMountPath()))
                    .findFirst().orElseGet(() -> fail(k8s.source() + ": user mounts nothing at " + SIGNING_KEYS_DIR));
            assertEquals(Boolean.TRUE, mount.getReadOnly(), "the signing keys are mounted read-only");
            assertNull(mount.getSubPath(), "a subPath mount never sees an updated Secret");
            Volume volume = user.template().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                    .findFirst().orElseGet(() -> fail(k8s.source() + ": user mounts missing volume " + mount.getName()));
            assertNotNull(volume.getSecret(), "the signing keys come from a Secret");
            assertEquals(SIGNING_KEYS_SECRET, volume.getSecret().getSecretName());
            assertTrue(volume.getSecret().getItems().stream().anyMatch(i -> i.getKey().equals("jwks.json") && i.getPath().equals("jwks.json")),
                    "key jwks.json as " + SIGNING_KEYS_FILE);
            assertEquals(0, volume.getSecret().getDefaultMode() & 0007, "the private keys are not readable by others");
            assertTrue(k8s.find(Secret.class, SIGNING_KEYS_SECRET).isEmpty(), k8s.source() + " must not contain " + SIGNING_KEYS_SECRET);
            for (Resources.Workload w : k8s.workloads()) {
                if (w.name().equals("user")) {
                    continue;
                }
                assertTrue(w.template().getSpec().getVolumes().stream()
                                .noneMatch(v -> v.getSecret() != null && SIGNING_KEYS_SECRET.equals(v.getSecret().getSecretName())),
                        w + " must not see user's private signing keys");
            }
        }
        Pattern privateJwk = Pattern.compile("\"d\"\\s*:\\s*\"[A-Za-z0-9_-]{20,}\"");
        for (String place : List.of("k8s", "mesh", "scripts")) {
            for (Path file : textFilesUnder(Repo.path(place))) {
                String text = readText(file);
                assertFalse(privateJwk.matcher(text).find() || text.contains("PRIVATE KEY-----"),
                        Repo.root().relativize(file) + " holds a private key");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------

    /** The jwksUri every RequestAuthentication uses (the gateway's; the first test checks that all are equal). */
    private static String jwksUri() {
        RequestAuthentication gateway = requestAuthentications(Resources.mesh()).get(GATEWAY);
        assertNotNull(gateway, "no RequestAuthentication at the ingress gateway");
        return gateway.getSpec().getJwtRules().get(0).getJwksUri();
    }

    /** RequestAuthentications by the workload they select: an app of meshshop, or GATEWAY. */
    static Map<String, RequestAuthentication> requestAuthentications(Resources mesh) {
        Map<String, RequestAuthentication> byWorkload = new java.util.TreeMap<>();
        for (RequestAuthentication ra : mesh.all(RequestAuthentication.class)) {
            String name = ra.getMetadata().getName();
            assertNotNull(ra.getSpec().getSelector(), name + " selects no workload: it would apply to the whole namespace");
            Map<String, String> labels = ra.getSpec().getSelector().getMatchLabels();
            String workload;
            if (Ingress.identity(mesh).podLabels().equals(labels)) {
                workload = GATEWAY;
            } else {
                assertEquals(1, labels.size(), name + " should select by app only: " + labels);
                workload = labels.get("app");
                assertTrue(Repo.SERVICES.contains(workload), name + " selects " + labels);
            }
            assertNull(byWorkload.put(workload, ra), "two RequestAuthentications for " + workload);
        }
        return byWorkload;
    }

    /** The policies that only let token checkers read the signing keys (no other operation). */
    static List<AuthorizationPolicy> keyFetchPolicies(Resources mesh) {
        return mesh.all(AuthorizationPolicy.class).stream()
                .filter(p -> !p.getSpec().getRules().isEmpty())
                .filter(p -> p.getSpec().getRules().stream().allMatch(rule -> !rule.getTo().isEmpty() && rule.getTo().stream()
                        .allMatch(to -> to.getOperation().getMethods().equals(List.of("GET"))
                                && to.getOperation().getPaths().equals(List.of(CustomerAuth.JWKS_PATH)))))
                .toList();
    }

    /** Every ALLOW policy with rules that selects user or order: mesh/ (with and without its optional parts) and k8s/jobs. */
    private static List<AuthorizationPolicy> policiesIntoUserOrOrder() {
        List<AuthorizationPolicy> all = new ArrayList<>(Resources.mesh().all(AuthorizationPolicy.class));
        all.addAll(Resources.meshWithOptional().all(AuthorizationPolicy.class));
        all.addAll(Resources.of(LOADGEN_AUTHORIZATION, Repo.read(LOADGEN_AUTHORIZATION)).all(AuthorizationPolicy.class));
        List<AuthorizationPolicy> into = all.stream()
                .filter(p -> !p.getSpec().getRules().isEmpty())
                .filter(p -> p.getSpec().getSelector() == null
                        || Set.of("user", "order").contains(p.getSpec().getSelector().getMatchLabels().get("app")))
                .toList();
        into.forEach(p -> assertNotNull(p.getSpec().getSelector(), p.getMetadata().getName() + " applies to every workload"));
        assertTrue(into.stream().anyMatch(p -> p.getMetadata().getName().startsWith("allow-loadgen")), "the load generator's policies were read");
        return into;
    }

    private static List<Path> textFilesUnder(Path place) {
        if (Files.isRegularFile(place)) {
            return List.of(place);
        }
        try (Stream<Path> files = Files.walk(place)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.toString().contains("/target/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readText(Path file) {
        try {
            return new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
