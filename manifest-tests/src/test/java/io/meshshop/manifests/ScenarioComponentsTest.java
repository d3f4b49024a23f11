package io.meshshop.manifests;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The scenarios of docs/scenarios.md: the steady traffic and each failure are opt-in components that render, parse
 * strictly, meet Pod Security restricted, and do only what the document says (the rest of the dev overlay's tests
 * run on the same render, Resources.devWithOptional, with every optional component enabled).
 */
class ScenarioComponentsTest {

    static final List<String> K8S_SCENARIOS = List.of("steady-traffic", "user-pod-killer", "order-database-outage");
    /** Not a scenario but the check after each one, offered in the dev overlay the same way. */
    static final String CONSISTENCY_CHECK = "consistency-check";
    static final String PAYMENT_SLOW = "mesh/optional/payment-slow";
    private static final String GATEWAY_URL = "http://istio-ingressgateway.istio-system";

    @Test
    void theDevOverlayOffersEveryScenarioButEnablesNone() {
        String kustomization = Repo.read(Kustomize.DEV + "/kustomization.yaml");
        for (String scenario : concat(K8S_SCENARIOS, CONSISTENCY_CHECK)) {
            assertTrue(kustomization.contains("\n#   - ../../components/" + scenario + "\n"),
                    "k8s/overlays/dev should offer ../../components/" + scenario + " as a commented-out component");
        }
        Resources dev = Resources.dev();
        assertTrue(dev.find(Deployment.class, "steady-traffic").isEmpty(), "steady traffic runs only when enabled");
        assertTrue(dev.find(CronJob.class, "user-pod-killer").isEmpty(), "the pod killer runs only when enabled");
        assertTrue(dev.find(Job.class, CONSISTENCY_CHECK).isEmpty(), "the consistency check runs only when enabled");
        assertTrue(dev.find(NetworkPolicy.class, "allow-consistency-check-to-order-db").isEmpty(),
                "the databases admit the checker only when it is enabled");
        assertEquals(1, dev.named(StatefulSet.class, "order-db").getSpec().getReplicas(), "order-db runs by default");
    }

    @Test
    void steadyTrafficIsOneBoundedLowRateGeneratorThroughTheIngressGateway() {
        Deployment steady = Resources.devWithOptional().named(Deployment.class, "steady-traffic");
        assertEquals(1, steady.getSpec().getReplicas(), "a second replica would double the rate");
        PodSpec pod = steady.getSpec().getTemplate().getSpec();
        Container loadgen = pod.getContainers().get(0);
        assertEquals("meshshop/loadgen:dev", loadgen.getImage(), "the image of bench/loadgen/Dockerfile");
        List<String> args = loadgen.getArgs();
        assertEquals("steady", args.get(0), "the endless mode of the load generator");
        assertEquals(GATEWAY_URL, option(args, "--user-url"), "customers sign in through the ingress gateway");
        assertEquals(GATEWAY_URL, option(args, "--order-url"), "orders go through the ingress gateway");
        Matcher rate = Pattern.compile("(\\d+(?:\\.\\d+)?)/s").matcher(option(args, "--rate"));
        assertTrue(rate.matches() && Double.parseDouble(rate.group(1)) <= 5, "a low rate per second: " + option(args, "--rate"));
        int customers = Integer.parseInt(option(args, "--customers"));
        assertTrue(customers >= 1 && customers <= 10, "a few customers, not " + customers);
        int inFlight = Integer.parseInt(option(args, "--max-in-flight"));
        assertTrue(inFlight >= 1 && inFlight <= 64, "bounded concurrency, not " + inFlight);
        assertEquals("steady-traffic", pod.getServiceAccountName(), "its own identity");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "it never calls the Kubernetes API");
        ServiceAccount account = Resources.devWithOptional().named(ServiceAccount.class, "steady-traffic");
        assertEquals(Boolean.FALSE, account.getAutomountServiceAccountToken(), "its ServiceAccount mounts no token");
        Matcher user = Pattern.compile("(?m)^USER (\\d+):\\d+$").matcher(Repo.read("bench/loadgen/Dockerfile"));
        assertTrue(user.find(), "bench/loadgen/Dockerfile declares USER uid:gid");
        assertEquals(Long.parseLong(user.group(1)), pod.getSecurityContext().getRunAsUser(), "runAsUser versus the image's USER");
    }

    @Test
    void userPodKillerDeletesRunningUserPodsOnlyWithPodRightsOnly() {
        Resources dev = Resources.devWithOptional();
        CronJob killer = dev.named(CronJob.class, "user-pod-killer");
        assertEquals("Forbid", killer.getSpec().getConcurrencyPolicy(), "one kill at a time");
        PodSpec pod = killer.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertEquals("false", killer.getSpec().getJobTemplate().getSpec().getTemplate().getMetadata().getAnnotations()
                .get("sidecar.istio.io/inject"), "a sidecar would keep the Job's pod running after kubectl exits");
        Container kubectl = pod.getContainers().get(0);
        assertTrue(kubectl.getImage().matches("registry\\.k8s\\.io/kubectl:v[0-9.]+"), "a pinned kubectl: " + kubectl.getImage());
        assertEquals("delete", kubectl.getArgs().get(0), "kubectl delete");
        assertTrue(kubectl.getArgs().containsAll(List.of("pod", "--namespace=meshshop", "--selector=app=user")),
                "only user's pods in meshshop: " + kubectl.getArgs());
        assertEquals("user-pod-killer", pod.getServiceAccountName(), "its own identity");

        Role role = dev.named(Role.class, "user-pod-killer");
        assertEquals(1, role.getRules().size(), "one rule");
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of(""), rule.getApiGroups(), "core API group only");
        assertEquals(List.of("pods"), rule.getResources(), "pods only");
        assertEquals(Set.of("list", "delete"), new TreeSet<>(rule.getVerbs()), "list and delete, nothing else");
        assertTrue(rule.getResourceNames().isEmpty(), "pod names change with every restart");
        RoleBinding binding = dev.named(RoleBinding.class, "user-pod-killer");
        assertEquals("Role", binding.getRoleRef().getKind(), "a namespaced Role, never a ClusterRole");
        assertEquals("user-pod-killer", binding.getRoleRef().getName(), "the Role above");
        assertEquals(1, binding.getSubjects().size(), "one subject");
        assertEquals("user-pod-killer", binding.getSubjects().get(0).getName(), "bound to the killer's account only");
        assertEquals(Repo.NAMESPACE, binding.getMetadata().getNamespace(), "in meshshop only");

        // Not a Deployment or StatefulSet, so PodSecurityRestrictedTest does not see it: checked here.
        assertRestrictedWithWritableTmp("CronJob user-pod-killer", pod, kubectl);
    }

    @Test
    void consistencyCheckIsOneBoundedRunOfTheCheckerImage() {
        Resources dev = Resources.devWithOptional();
        Job job = dev.named(Job.class, CONSISTENCY_CHECK);
        assertEquals(Map.of("app", CONSISTENCY_CHECK, "version", "v1"), job.getMetadata().getLabels(), "app and version");
        assertTrue(WorkloadContractTest.isSubset(job.getMetadata().getLabels(), job.getSpec().getTemplate().getMetadata().getLabels()),
                "the pod carries the Job's app and version");
        Integer backoff = job.getSpec().getBackoffLimit();
        assertTrue(backoff != null && backoff <= 2, "a small backoffLimit (findings do not change on a retry): " + backoff);
        Long deadline = job.getSpec().getActiveDeadlineSeconds();
        assertTrue(deadline != null && deadline > 0 && deadline <= 600, "a hard deadline of minutes: " + deadline);
        Integer ttl = job.getSpec().getTtlSecondsAfterFinished();
        assertTrue(ttl != null && ttl >= 600, "kept long enough to read its log: " + ttl);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertEquals("Never", pod.getRestartPolicy(), "retries are the Job's backoff, not restarts in the pod");
        assertEquals(1, pod.getContainers().size(), "one container: the checker");
        Container checker = pod.getContainers().get(0);
        assertEquals("meshshop/reliability:dev", checker.getImage(), "the image of reliability/Dockerfile");
        assertEquals(List.of("check"), checker.getArgs(), "the checker, configured from its environment");
        Matcher user = Pattern.compile("(?m)^USER (\\d+):\\d+$").matcher(Repo.read("reliability/Dockerfile"));
        assertTrue(user.find(), "reliability/Dockerfile declares USER uid:gid");
        assertEquals(Long.parseLong(user.group(1)), pod.getSecurityContext().getRunAsUser(), "runAsUser versus the image's USER");

        assertEquals(CONSISTENCY_CHECK, pod.getServiceAccountName(), "its own identity");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "it never calls the Kubernetes API");
        ServiceAccount account = dev.named(ServiceAccount.class, CONSISTENCY_CHECK);
        assertEquals(Boolean.FALSE, account.getAutomountServiceAccountToken(), "its ServiceAccount mounts no token");
        assertTrue(dev.all(io.fabric8.kubernetes.api.model.rbac.RoleBinding.class).stream()
                .flatMap(b -> b.getSubjects().stream()).noneMatch(s -> s.getName().equals(CONSISTENCY_CHECK)), "no RBAC");

        // Not a Deployment or StatefulSet, so PodSecurityRestrictedTest does not see it: checked here.
        assertRestrictedWithWritableTmp("Job consistency-check", pod, checker);
        assertNotNull(checker.getResources().getLimits().get("memory"), "a memory limit");
    }

    /**
     * Each database as its own service reads it: the Secret references resolve in the rendered output (kustomize
     * renamed the generated Secrets), the URL names the database's Service and port, and the role is the data role.
     */
    @Test
    void consistencyCheckReadsEachDatabaseWithItsOwnSecret() {
        Resources dev = Resources.devWithOptional();
        Container checker = dev.named(Job.class, CONSISTENCY_CHECK).getSpec().getTemplate().getSpec().getContainers().get(0);
        for (EnvVar var : checker.getEnv()) {
            if (var.getValueFrom() != null) {
                String name = var.getValueFrom().getSecretKeyRef().getName();
                Secret secret = dev.find(Secret.class, name).orElseGet(() -> fail(var.getName() + " reads Secret " + name
                        + ", which the rendered dev overlay does not have"));
                assertTrue(secret.getData().containsKey(var.getValueFrom().getSecretKeyRef().getKey()),
                        var.getName() + ": Secret " + name + " has no key " + var.getValueFrom().getSecretKeyRef().getKey());
            }
        }
        Map<String, String> env = dev.environment(checker);
        for (String db : List.of("order", "payment")) {
            String prefix = db.toUpperCase(java.util.Locale.ROOT) + "_DB_";
            Secret credentials = dev.findGenerated(Secret.class, db + "-db-credentials").orElseThrow();
            Map<String, String> service = dev.environment(dev.serviceWorkload(db).app());
            assertEquals(service.get("DB_USER"), env.get(prefix + "USER"), db + ": the service's data role (" + credentials
                    .getMetadata().getName() + "), never the owner or the superuser");
            assertEquals(service.get("DB_PASSWORD"), env.get(prefix + "PASSWORD"), db + ": its password");
            Matcher url = Pattern.compile("jdbc:postgresql://([a-z0-9-]+):(\\d+)/(\\w+)").matcher(env.get(prefix + "URL"));
            assertTrue(url.matches(), prefix + "URL expands to a JDBC URL: " + env.get(prefix + "URL"));
            assertTrue(service.get("DB_URL").startsWith(url.group()), db + ": the database its service uses, "
                    + service.get("DB_URL") + " versus " + url.group());
            Service dbService = dev.named(Service.class, url.group(1));
            Map<String, String> dbPods = dev.named(StatefulSet.class, db + "-db").getSpec().getTemplate().getMetadata().getLabels();
            assertTrue(WorkloadContractTest.isSubset(dbService.getSpec().getSelector(), dbPods), url.group(1)
                    + " selects the pods of StatefulSet " + db + "-db");
            assertTrue(dbService.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == Integer.parseInt(url.group(2))),
                    url.group(1) + " serves port " + url.group(2));
        }
        assertFalse(env.keySet().stream().anyMatch(k -> k.startsWith("USER_DB")), "user's database is none of its business");
    }

    /** Both databases admit the checker's pods, and nothing else admits them anywhere. */
    @Test
    void consistencyCheckIsAdmittedToBothDatabasesOnly() {
        Resources dev = Resources.devWithOptional();
        Map<String, String> checkerPods = dev.named(Job.class, CONSISTENCY_CHECK).getSpec().getTemplate().getMetadata().getLabels();
        Set<String> reached = new TreeSet<>();
        for (NetworkPolicy policy : dev.all(NetworkPolicy.class)) {
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                boolean admitsChecker = rule.getFrom().stream().anyMatch(f -> f.getPodSelector() != null
                        && WorkloadContractTest.isSubset(f.getPodSelector().getMatchLabels(), checkerPods));
                if (admitsChecker) {
                    String name = policy.getMetadata().getName();
                    List<String> dbs = Stream.of("user", "order", "payment")
                            .filter(db -> WorkloadContractTest.isSubset(policy.getSpec().getPodSelector().getMatchLabels(),
                                    dev.named(StatefulSet.class, db + "-db").getSpec().getTemplate().getMetadata().getLabels()))
                            .toList();
                    assertEquals(1, dbs.size(), name + " selects one database's pods: " + dbs);
                    assertEquals("allow-consistency-check-to-" + dbs.get(0) + "-db", name, "named for what it does");
                    assertEquals(1, rule.getPorts().size(), name + ": one port");
                    int port = rule.getPorts().get(0).getPort().getIntVal();
                    assertTrue(dev.named(StatefulSet.class, dbs.get(0) + "-db").getSpec().getTemplate().getSpec().getContainers()
                            .get(0).getPorts().stream().anyMatch(p -> p.getContainerPort() == port), name + ": PostgreSQL's port");
                    reached.add(dbs.get(0));
                }
            }
        }
        assertEquals(Set.of("order", "payment"), reached, "the checker reaches exactly the order and payment databases");
    }

    /**
     * A Job's pod is complete when its containers have exited; an Istio sidecar never exits by itself. The checker
     * has none (injection off), which works because the databases, its only peers, are outside the mesh too: with a
     * sidecar-less client, a database inside the mesh under STRICT mTLS would refuse it, and this test would say so.
     */
    @Test
    void consistencyCheckCompletesUnderIstio() {
        Resources dev = Resources.devWithOptional();
        assertEquals("false", injection(dev.named(Job.class, CONSISTENCY_CHECK).getSpec().getTemplate().getMetadata()),
                "no sidecar to keep the Job's pod running");
        for (String db : List.of("order", "payment")) {
            assertEquals("false", injection(dev.named(StatefulSet.class, db + "-db").getSpec().getTemplate().getMetadata()),
                    db + "-db is outside the mesh, so the checker needs no sidecar to reach it");
        }
    }

    /** Istio's sidecar.istio.io/inject of a pod template: the label, else the (deprecated) annotation of that name. */
    private static String injection(io.fabric8.kubernetes.api.model.ObjectMeta pod) {
        String label = pod.getLabels() == null ? null : pod.getLabels().get("sidecar.istio.io/inject");
        return label != null || pod.getAnnotations() == null ? label : pod.getAnnotations().get("sidecar.istio.io/inject");
    }

    @Test
    void orderDatabaseOutageStopsOrdersDatabaseAndKeepsItsData() {
        Resources dev = Resources.devWithOptional();
        StatefulSet order = dev.named(StatefulSet.class, "order-db");
        assertEquals(0, order.getSpec().getReplicas(), "order's database is stopped");
        assertFalse(order.getSpec().getVolumeClaimTemplates().isEmpty(), "its data stays on the claim, for the way back");
        for (String other : List.of("user-db", "payment-db")) {
            assertEquals(1, dev.named(StatefulSet.class, other).getSpec().getReplicas(), other + " keeps running");
        }
    }

    @Test
    void paymentSlowDelaysHalfTheChargesBeyondTheCheckoutObjectiveButBelowTheTimeouts() {
        String rendered = Kustomize.renderComposed("payment-slow", Kustomize.MESH, PAYMENT_SLOW);
        Resources mesh = Resources.of("mesh/ with " + PAYMENT_SLOW, rendered);
        JsonNode http = mesh.manifests().stream()
                .filter(m -> m.kind().equals("VirtualService") && m.model().getMetadata().getName().equals("payment"))
                .findFirst().orElseThrow(() -> new AssertionError("no VirtualService payment")).tree().path("spec").path("http");
        for (JsonNode route : http) {
            boolean charges = route.path("name").asText().equals("charges-and-refunds");
            assertEquals(charges, route.has("fault"), "only charges-and-refunds is delayed: " + route.path("name"));
            if (charges) {
                JsonNode delay = route.path("fault").path("delay");
                assertFalse(route.path("fault").has("abort"), "slow, not failing");
                assertEquals(50, delay.path("percentage").path("value").asInt(), "half of the charges and refunds");
                long delayMs = Istio.duration(delay.path("fixedDelay").asText(), "fixedDelay").toMillis();
                // Above the checkout latency objective's 1 s (observability/prometheus/rules), below the route's
                // timeout and order's payment read timeout (3 s), so the charges still succeed.
                assertTrue(delayMs > 1000, "the delay must exceed the checkout objective's 1 s: " + delayMs);
                long timeoutMs = Istio.duration(route.path("timeout").asText(), "timeout").toMillis();
                assertTrue(delayMs < timeoutMs && delayMs < 3000, "the delay must stay below the timeouts: " + delayMs);
            }
        }
    }

    /** docs/scenarios.md names each component, and every alert it names is a real one. */
    @Test
    void scenariosDocumentNamesEveryComponentAndOnlyRealAlerts() {
        String doc = Repo.read("docs/scenarios.md");
        List<String> components = List.of("k8s/components/steady-traffic", "k8s/components/user-pod-killer",
                "k8s/components/order-database-outage", "k8s/components/consistency-check", "k8s/components/order-v2", PAYMENT_SLOW,
                "mesh/optional/payment-fault-injection", "mesh/optional/traffic-shifting");
        for (String component : components) {
            assertTrue(doc.contains(component), "docs/scenarios.md should name " + component);
        }
        Set<String> alerts = new TreeSet<>();
        Matcher defined = Pattern.compile("- alert: (\\w+)").matcher(Repo.read("observability/prometheus/rules/meshshop-slo-alerts.yml"));
        while (defined.find()) {
            alerts.add(defined.group(1));
        }
        Matcher named = Pattern.compile("`([A-Z][a-z]+(?:[A-Z][a-z0-9]+)+)`").matcher(doc);
        int count = 0;
        while (named.find()) {
            assertTrue(alerts.contains(named.group(1)), "docs/scenarios.md names alert " + named.group(1) + ", which "
                    + "observability/prometheus/rules does not define (" + alerts + ")");
            count++;
        }
        assertTrue(count >= 4, "docs/scenarios.md should name the alerts that fire, found " + count);
    }

    /** Pod Security restricted for a pod of a Job, and /tmp an emptyDir: the one writable path with a read-only root. */
    private static void assertRestrictedWithWritableTmp(String where, PodSpec pod, Container container) {
        assertNotNull(pod.getSecurityContext(), where + ": the pod has a securityContext");
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), where + ": seccompProfile");
        PodSecurityRestrictedTest.assertContainerMeetsRestricted(where, pod.getSecurityContext(), container.getSecurityContext());
        String tmpVolume = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow(() -> new AssertionError(where + " has no writable /tmp")).getName();
        Volume tmp = pod.getVolumes().stream().filter(v -> v.getName().equals(tmpVolume)).findFirst().orElseThrow();
        assertNotNull(tmp.getEmptyDir(), where + ": /tmp is an emptyDir");
    }

    private static List<String> concat(List<String> list, String more) {
        return Stream.concat(list.stream(), Stream.of(more)).toList();
    }

    private static String option(List<String> args, String name) {
        int at = args.indexOf(name);
        assertTrue(at >= 0 && at + 1 < args.size(), "option " + name + " in " + args);
        return args.get(at + 1);
    }
}
