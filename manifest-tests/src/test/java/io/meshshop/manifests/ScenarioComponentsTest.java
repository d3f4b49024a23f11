package io.meshshop.manifests;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenarios of docs/scenarios.md: the steady traffic and each failure are opt-in components that render, parse
 * strictly, meet Pod Security restricted, and do only what the document says (the rest of the dev overlay's tests
 * run on the same render, Resources.devWithOptional, with every optional component enabled).
 */
class ScenarioComponentsTest {

    static final List<String> K8S_SCENARIOS = List.of("steady-traffic", "user-pod-killer", "order-database-outage");
    static final String PAYMENT_SLOW = "mesh/optional/payment-slow";
    private static final String GATEWAY_URL = "http://istio-ingressgateway.istio-system";

    @Test
    void theDevOverlayOffersEveryScenarioButEnablesNone() {
        String kustomization = Repo.read(Kustomize.DEV + "/kustomization.yaml");
        for (String scenario : K8S_SCENARIOS) {
            assertTrue(kustomization.contains("\n#   - ../../components/" + scenario + "\n"),
                    "k8s/overlays/dev should offer ../../components/" + scenario + " as a commented-out component");
        }
        Resources dev = Resources.dev();
        assertTrue(dev.find(Deployment.class, "steady-traffic").isEmpty(), "steady traffic runs only when enabled");
        assertTrue(dev.find(CronJob.class, "user-pod-killer").isEmpty(), "the pod killer runs only when enabled");
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
        assertNotNull(pod.getSecurityContext(), "the killer's pod has a securityContext");
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), "seccompProfile");
        PodSecurityRestrictedTest.assertContainerMeetsRestricted("CronJob user-pod-killer", pod.getSecurityContext(),
                kubectl.getSecurityContext());
        String tmpVolume = kubectl.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow(() -> new AssertionError("the killer has no writable /tmp")).getName();
        Volume tmp = pod.getVolumes().stream().filter(v -> v.getName().equals(tmpVolume)).findFirst().orElseThrow();
        assertNotNull(tmp.getEmptyDir(), "/tmp is an emptyDir");
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
                "k8s/components/order-database-outage", "k8s/components/order-v2", PAYMENT_SLOW,
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

    private static String option(List<String> args, String name) {
        int at = args.indexOf(name);
        assertTrue(at >= 0 && at + 1 < args.size(), "option " + name + " in " + args);
        return args.get(at + 1);
    }
}
