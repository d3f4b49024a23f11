package io.meshshop.manifests;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
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

/** The Kubernetes workloads agree with each other and with the services' contract. */
class WorkloadContractTest {

    private static final int SERVICE_PORT = 8080;

    static Stream<Named<Resources>> overlays() {
        return Stream.of(Named.of("dev", Resources.dev()), Named.of("prod", Resources.prod()),
                Named.of("dev with order v2", Resources.devWithOptional()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyServiceHasItsResources(Resources k8s) {
        for (String service : Repo.SERVICES) {
            k8s.serviceWorkload(service);
            k8s.named(Service.class, service);
            k8s.named(ServiceAccount.class, service);
            k8s.named(PodDisruptionBudget.class, service);
            k8s.named(HorizontalPodAutoscaler.class, service);
            assertTrue(k8s.findGenerated(ConfigMap.class, service + "-config").isPresent(), service + "-config");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyWorkloadAndPodHasAppAndVersionLabels(Resources k8s) {
        for (Resources.Workload w : k8s.workloads()) {
            Map<String, String> pod = w.template().getMetadata().getLabels();
            for (String label : List.of("app", "version")) {
                assertNotNull(w.labels().get(label), w + " has no " + label + " label");
                assertNotNull(pod.get(label), w + "'s pods have no " + label + " label");
                assertEquals(w.labels().get(label), pod.get(label), w + ": " + label + " differs between it and its pods");
            }
        }
        for (String service : Repo.SERVICES) {
            for (var resource : List.of(k8s.named(Service.class, service), k8s.named(ServiceAccount.class, service),
                    k8s.named(PodDisruptionBudget.class, service), k8s.named(HorizontalPodAutoscaler.class, service))) {
                assertEquals(service, resource.getMetadata().getLabels().get("app"), resource.getKind() + " " + service);
                assertNotNull(resource.getMetadata().getLabels().get("version"), resource.getKind() + " " + service);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void selectorsMatchPodLabels(Resources k8s) {
        for (Resources.Workload w : k8s.workloads()) {
            assertTrue(isSubset(w.selector().getMatchLabels(), w.template().getMetadata().getLabels()),
                    w + ": selector " + w.selector().getMatchLabels() + " does not select its own pods");
            assertTrue(w.selector().getMatchExpressions().isEmpty(), w + ": meshshop selects by labels only");
        }
        for (Service service : k8s.all(Service.class)) {
            assertFalse(podsSelectedBy(k8s, service.getSpec().getSelector()).isEmpty(),
                    "Service " + service.getMetadata().getName() + " selects no pods");
        }
        for (PodDisruptionBudget pdb : k8s.all(PodDisruptionBudget.class)) {
            assertFalse(podsSelectedBy(k8s, pdb.getSpec().getSelector().getMatchLabels()).isEmpty(),
                    "PodDisruptionBudget " + pdb.getMetadata().getName() + " selects no pods");
        }
        for (HorizontalPodAutoscaler hpa : k8s.all(HorizontalPodAutoscaler.class)) {
            var target = hpa.getSpec().getScaleTargetRef();
            assertEquals("Deployment", target.getKind());
            assertEquals("apps/v1", target.getApiVersion());
            k8s.serviceWorkload(target.getName());
        }
    }

    /** A Deployment with replicas set fights its autoscaler: every apply resets the count. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void autoscaledDeploymentsLeaveTheReplicaCountToTheAutoscaler(Resources k8s) {
        for (HorizontalPodAutoscaler hpa : k8s.all(HorizontalPodAutoscaler.class)) {
            Resources.Workload w = k8s.serviceWorkload(hpa.getSpec().getScaleTargetRef().getName());
            assertNull(w.replicas(), w + " sets replicas although HorizontalPodAutoscaler " + hpa.getMetadata().getName() + " owns them");
            assertTrue(hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas(), "HPA " + hpa.getMetadata().getName());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void containerPortServerPortAndServiceTargetPortAgree(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            Container app = w.app();
            ContainerPort http = httpPort(w);
            assertEquals(SERVICE_PORT, http.getContainerPort(), w + ": the contract's port");
            assertEquals(String.valueOf(http.getContainerPort()), k8s.environment(app).get("SERVER_PORT"),
                    w + ": SERVER_PORT must be the container port the Service sends to");
            assertEquals(String.valueOf(http.getContainerPort()),
                    w.template().getMetadata().getAnnotations().get("prometheus.io/port"), w + ": metrics scrape port");
        }
        for (Service service : k8s.all(Service.class)) {
            for (ServicePort port : service.getSpec().getPorts()) {
                for (Resources.Workload w : podsSelectedBy(k8s, service.getSpec().getSelector())) {
                    assertTrue(resolves(port.getTargetPort(), w.app().getPorts()),
                            "Service " + service.getMetadata().getName() + " port " + port.getName() + " targets "
                                    + port.getTargetPort() + ", which " + w + " does not expose");
                }
            }
        }
        for (String name : Repo.SERVICES) {
            List<ServicePort> ports = k8s.named(Service.class, name).getSpec().getPorts();
            assertEquals(1, ports.size(), "Service " + name);
            assertEquals("http", ports.get(0).getName(), "Service " + name + ": Istio reads the protocol from the port name");
            assertEquals(SERVICE_PORT, ports.get(0).getPort(), "Service " + name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void probesCallTheHealthEndpointsOnTheServicePort(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            Container app = w.app();
            assertProbe(w, "startup", app.getStartupProbe(), "/observe/health/started");
            assertProbe(w, "readiness", app.getReadinessProbe(), "/observe/health/ready");
            assertProbe(w, "liveness", app.getLivenessProbe(), "/observe/health/live");
        }
    }

    private static void assertProbe(Resources.Workload w, String kind, Probe probe, String path) {
        assertNotNull(probe, w + " has no " + kind + " probe");
        assertNotNull(probe.getHttpGet(), w + ": " + kind + " probe is not an HTTP GET");
        assertEquals(path, probe.getHttpGet().getPath(), w + ": " + kind + " probe path");
        assertTrue(resolves(probe.getHttpGet().getPort(), List.of(httpPort(w))), w + ": " + kind + " probe port");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyServiceRunsAsItsOwnServiceAccount(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            String app = w.template().getMetadata().getLabels().get("app");
            assertEquals(app, w.template().getSpec().getServiceAccountName(), w + ": the mesh identity the policies name");
            k8s.named(ServiceAccount.class, app);
        }
    }

    /**
     * The proxy must start before the app and stop after it: the app's shutdown (application.yaml:
     * shutdown.drain + server.shutdown-grace-period) must end before Envoy's drain does, and both before
     * Kubernetes kills the pod.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void proxyStartsFirstAndStopsLast(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            String proxyConfigText = w.template().getMetadata().getAnnotations().get("proxy.istio.io/config");
            assertNotNull(proxyConfigText, w + " has no proxy.istio.io/config annotation");
            JsonNode proxyConfig = StrictManifests.documents(w + " proxy.istio.io/config", proxyConfigText).get(0);
            Set<String> fields = new TreeSet<>();
            proxyConfig.fieldNames().forEachRemaining(fields::add);
            assertEquals(Set.of("holdApplicationUntilProxyStarts", "terminationDrainDuration"), fields,
                    w + ": proxy.istio.io/config fields (a misspelt one is ignored by Istio)");
            assertTrue(proxyConfig.path("holdApplicationUntilProxyStarts").asBoolean(false),
                    w + ": holdApplicationUntilProxyStarts");
            Duration proxyDrain = Istio.duration(proxyConfig.path("terminationDrainDuration").asText(), w + " terminationDrainDuration");
            String app = w.template().getMetadata().getLabels().get("app");
            Duration appShutdown = ServiceFiles.shutdownTime(app);
            Duration grace = Duration.ofSeconds(w.template().getSpec().getTerminationGracePeriodSeconds());
            assertTrue(appShutdown.compareTo(proxyDrain) < 0,
                    w + ": the app shuts down in " + appShutdown + " but its proxy stops after " + proxyDrain);
            assertTrue(proxyDrain.compareTo(grace) < 0,
                    w + ": the proxy drains for " + proxyDrain + " but the pod is killed after " + grace);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void metricsAreScrapedThroughIstiosMerging(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            Map<String, String> annotations = w.template().getMetadata().getAnnotations();
            assertEquals("true", annotations.get("prometheus.io/scrape"), w.toString());
            assertEquals("/observe/metrics", annotations.get("prometheus.io/path"), w.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void environmentHasTheContractsVariables(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            String app = w.template().getMetadata().getLabels().get("app");
            Map<String, String> env = k8s.environment(w.app());
            for (String name : List.of("SERVER_PORT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
                    "OTEL_PROPAGATORS", "OTEL_RESOURCE_ATTRIBUTES", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
                assertNotNull(env.get(name), w + " lacks " + name);
            }
            if (!Repo.SERVICES_WITH_DATABASE.contains(app)) {
                assertTrue(env.keySet().stream().noneMatch(n -> List.of("DB_URL", "DB_USER", "DB_PASSWORD", "DB_MIGRATION_USER").contains(n)),
                        w + " has no database: " + env.keySet());
                continue;
            }
            for (String name : List.of("DB_URL", "DB_USER", "DB_PASSWORD", "DB_MIGRATION_USER", "DB_MIGRATION_PASSWORD")) {
                assertNotNull(env.get(name), w + " lacks " + name);
            }
            assertEquals("parentbased_traceidratio", env.get("OTEL_TRACES_SAMPLER"), w.toString());
            double ratio = Double.parseDouble(env.get("OTEL_TRACES_SAMPLER_ARG"));
            assertTrue(ratio >= 0 && ratio <= 1, w + ": OTEL_TRACES_SAMPLER_ARG is a ratio");
            Set<String> propagators = Set.of(env.get("OTEL_PROPAGATORS").split(","));
            // W3C only (issue 16): Envoy's OpenTelemetry provider speaks traceparent alone, and a B3 propagator
            // listed after it would let a stale b3 header win.
            assertEquals(Set.of("tracecontext", "baggage"), propagators, w + ": " + propagators);
            assertTrue(List.of(env.get("OTEL_RESOURCE_ATTRIBUTES").split(",")).contains("service.name=" + app),
                    w + ": traces must carry service.name=" + app);
            assertTrue(env.get("DB_URL").startsWith("jdbc:postgresql://"), w + ": DB_URL " + env.get("DB_URL"));
            assertFalse(env.get("DB_URL").contains("$("), w + ": DB_URL refers to a variable not defined before it: " + env.get("DB_URL"));
        }
    }

    /**
     * The service URLs in each Deployment are exactly the ones its application.yaml reads (by env name),
     * and each points at the Service of that name on its http port.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void serviceUrlsAreTheOnesTheConfigurationReads(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            String app = w.template().getMetadata().getLabels().get("app");
            Map<String, String> env = k8s.environment(w.app());
            Set<String> given = new TreeSet<>();
            env.keySet().stream().filter(n -> n.endsWith("_SERVICE_URL"))
                    .forEach(n -> given.add(n.substring(0, n.length() - "_SERVICE_URL".length()).toLowerCase()));
            assertEquals(ServiceFiles.calledServices(app), given,
                    w + ": *_SERVICE_URL variables versus the services " + ServiceFiles.applicationYaml(app) + " calls");
            for (String called : given) {
                String url = env.get(called.toUpperCase() + "_SERVICE_URL");
                Matcher m = Pattern.compile("http://([a-z0-9.-]+):(\\d+)/?").matcher(url);
                assertTrue(m.matches(), w + ": " + url);
                String service = Istio.serviceOfHost(m.group(1));
                assertEquals(called, service, w + ": " + url);
                assertEquals(SERVICE_PORT, Integer.parseInt(m.group(2)), w + ": " + url);
                k8s.named(Service.class, service);
            }
        }
    }

    /** A ConfigMap or Secret named but not there keeps the pod from starting (CreateContainerConfigError). */
    @Test
    void devReferencesResolve() {
        for (Resources k8s : List.of(Resources.dev(), Resources.devWithOptional())) {
            for (Resources.Workload w : k8s.workloads()) {
                for (Container c : w.template().getSpec().getContainers()) {
                    k8s.environment(c); // fails on a missing ConfigMap or Secret key
                    for (EnvVar var : c.getEnv()) {
                        if (var.getValueFrom() != null) {
                            String secret = var.getValueFrom().getSecretKeyRef().getName();
                            assertTrue(k8s.find(Secret.class, secret).isPresent(), w + " names missing Secret " + secret);
                        }
                    }
                }
                // A missing Secret or ConfigMap volume keeps the pod from starting too. The one exception holds private
                // keys, so no manifest contains it: scripts/kind-up.sh creates it (KindScriptTest checks that it does).
                for (var volume : w.template().getSpec().getVolumes()) {
                    if (volume.getConfigMap() != null) {
                        assertTrue(k8s.find(ConfigMap.class, volume.getConfigMap().getName()).isPresent(),
                                w + " mounts missing ConfigMap " + volume.getConfigMap().getName());
                    }
                    if (volume.getSecret() != null && !volume.getSecret().getSecretName().equals("user-signing-keys")) {
                        String secret = volume.getSecret().getSecretName();
                        assertTrue(k8s.find(Secret.class, secret).isPresent(), w + " mounts missing Secret " + secret);
                    }
                }
            }
        }
    }

    /**
     * Each dev service talks to its own PostgreSQL, which creates the service's two roles from the same Secrets the
     * service reads: the running service as the data-only role, the migrations as the schema owner, and neither is
     * the database's superuser (which only the database pod knows).
     */
    @Test
    void devServicesUseTheirOwnDatabaseWithSeparateRoles() {
        Resources dev = Resources.dev();
        for (String service : Repo.SERVICES_WITH_DATABASE) {
            Map<String, String> env = dev.environment(dev.serviceWorkload(service).app());
            StatefulSet db = dev.named(StatefulSet.class, service + "-db");
            Map<String, String> dbEnv = dev.environment(db.getSpec().getTemplate().getSpec().getContainers().get(0));
            Service dbService = dev.named(Service.class, service + "-db");
            assertEquals(5432, dbService.getSpec().getPorts().get(0).getPort());
            assertEquals("jdbc:postgresql://" + service + "-db:5432/" + dbEnv.get("POSTGRES_DB") + "?sslmode=disable", env.get("DB_URL"), service);
            assertEquals(dbEnv.get("MESHSHOP_APP_USER"), env.get("DB_USER"), service + ": the service runs as the data-only role");
            assertEquals(dbEnv.get("MESHSHOP_APP_PASSWORD"), env.get("DB_PASSWORD"), service);
            assertEquals(dbEnv.get("MESHSHOP_MIGRATION_USER"), env.get("DB_MIGRATION_USER"), service + ": the migrations run as the owner");
            assertEquals(dbEnv.get("MESHSHOP_MIGRATION_PASSWORD"), env.get("DB_MIGRATION_PASSWORD"), service);
            assertEquals(3, Set.of(dbEnv.get("POSTGRES_USER"), env.get("DB_USER"), env.get("DB_MIGRATION_USER")).size(),
                    service + ": superuser, owner and data role are three roles");
            assertTrue(dbService.getSpec().getPorts().get(0).getName().startsWith("tcp"),
                    service + "-db: PostgreSQL is not HTTP; the port name tells Istio");
            assertEquals("false", db.getSpec().getTemplate().getMetadata().getLabels().get("sidecar.istio.io/inject"),
                    service + "-db stays outside the mesh, so the mesh's call edges are the services' own");
            var init = db.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals("/docker-entrypoint-initdb.d")).findFirst()
                    .orElseGet(() -> fail(service + "-db does not run the roles' script"));
            var volume = db.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(init.getName()))
                    .findFirst().orElseThrow();
            ConfigMap script = dev.findGenerated(ConfigMap.class, service + "-db-init").orElseGet(() -> fail(service + "-db-init"));
            assertEquals(script.getMetadata().getName(), volume.getConfigMap().getName());
            assertEquals(Repo.read(DatabaseRolesTest.SCRIPT), script.getData().get("create-roles.sh"), "the script DatabaseRolesTest runs");
        }
    }

    /** A StatefulSet's serviceName must name a headless Service that selects its pods (the pods' stable DNS names). */
    @Test
    void statefulSetsAreGovernedByHeadlessServices() {
        Resources dev = Resources.dev();
        assertFalse(dev.all(StatefulSet.class).isEmpty());
        for (StatefulSet set : dev.all(StatefulSet.class)) {
            Service governing = dev.named(Service.class, set.getSpec().getServiceName());
            assertEquals("None", governing.getSpec().getClusterIP(), "Service " + governing.getMetadata().getName() + " must be headless");
            assertTrue(isSubset(governing.getSpec().getSelector(), set.getSpec().getTemplate().getMetadata().getLabels()),
                    "Service " + governing.getMetadata().getName() + " does not select StatefulSet " + set.getMetadata().getName());
        }
    }

    /**
     * Only the owning service reaches its database: one NetworkPolicy per database pod, of type Ingress, whose only
     * rule admits the pods of the database's service on PostgreSQL's port, and no other workload's pods. The one
     * other policy allowed is the consistency checker's (k8s/components/consistency-check), and it admits the
     * checker's Job pods only (ScenarioComponentsTest checks that Job).
     */
    @Test
    void onlyTheOwningServiceReachesItsDatabase() {
        Resources dev = Resources.devWithOptional();
        for (String service : Repo.SERVICES_WITH_DATABASE) {
            Map<String, String> dbPods = dev.named(StatefulSet.class, service + "-db").getSpec().getTemplate().getMetadata().getLabels();
            List<NetworkPolicy> policies = dev.all(NetworkPolicy.class).stream()
                    .filter(p -> isSubset(p.getSpec().getPodSelector().getMatchLabels(), dbPods)).toList();
            Set<String> owners = new TreeSet<>();
            for (NetworkPolicy policy : policies) {
                String name = policy.getMetadata().getName();
                assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes(), name);
                assertEquals(1, policy.getSpec().getIngress().size(), name + ": one rule");
                var rule = policy.getSpec().getIngress().get(0);
                assertEquals(1, rule.getFrom().size(), name);
                var from = rule.getFrom().get(0);
                assertNull(from.getNamespaceSelector(), name + ": pods of meshshop only");
                assertNull(from.getIpBlock(), name);
                assertEquals(1, rule.getPorts().size());
                assertEquals(5432, rule.getPorts().get(0).getPort().getIntVal(), name);
                Set<String> admitted = new TreeSet<>();
                podsSelectedBy(dev, from.getPodSelector().getMatchLabels())
                        .forEach(w -> admitted.add(w.template().getMetadata().getLabels().get("app")));
                if (admitted.isEmpty() && name.equals("allow-consistency-check-to-" + service + "-db")) {
                    assertEquals(Map.of("app", "consistency-check"), from.getPodSelector().getMatchLabels(),
                            name + " admits the consistency checker's Job pods and no workload");
                } else {
                    assertEquals(Set.of(service), admitted, name + " admits the pods of " + admitted);
                    owners.add(name);
                }
            }
            assertEquals(1, owners.size(), service + "-db: one NetworkPolicy for its service, found " + owners);
        }
    }

    /** The committed dev passwords say that they are for dev only, in their values and an annotation. */
    @Test
    void devSecretsAreMarkedDevOnly() {
        List<Secret> secrets = Resources.dev().all(Secret.class);
        assertFalse(secrets.isEmpty());
        for (Secret secret : secrets) {
            assertEquals("true", secret.getMetadata().getAnnotations().get("meshshop.dev/dev-only"), secret.getMetadata().getName());
            String password = new String(java.util.Base64.getDecoder().decode(secret.getData().get("password")),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(password.startsWith("dev-only-"), secret.getMetadata().getName() + ": the password says dev-only");
        }
    }

    /**
     * prod brings no Secret: it reads each service's externally managed <service>-db-credentials (the data-only role)
     * and <service>-db-migration-credentials (the owner), and connects over TLS that verifies the server's certificate
     * and name against the mounted CA.
     */
    @Test
    void prodReadsExternalDatabaseSecretsAndVerifiesTls() {
        Resources prod = Resources.prod();
        assertEquals(List.of(), prod.all(Secret.class), "prod must not contain Secrets");
        assertEquals(List.of(), prod.all(StatefulSet.class), "prod uses external databases");
        for (String service : Repo.SERVICES_WITH_DATABASE) {
            Resources.Workload w = prod.serviceWorkload(service);
            Map<String, String> env = prod.environment(w.app());
            String credentials = "<secret " + service + "-db-credentials/";
            assertEquals(credentials + "username>", env.get("DB_USER"), service);
            assertEquals(credentials + "password>", env.get("DB_PASSWORD"), service);
            assertEquals("<secret " + service + "-db-migration-credentials/username>", env.get("DB_MIGRATION_USER"), service);
            assertEquals("<secret " + service + "-db-migration-credentials/password>", env.get("DB_MIGRATION_PASSWORD"), service);
            String url = env.get("DB_URL");
            assertTrue(url.startsWith("jdbc:postgresql://" + credentials + "host>:" + credentials + "port>/" + credentials + "database>?"),
                    service + ": DB_URL " + url);
            Map<String, String> parameters = new java.util.HashMap<>();
            for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
                parameters.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
            assertEquals("verify-full", parameters.get("sslmode"), service + ": TLS, the certificate and the host name checked");
            String ca = parameters.get("sslrootcert");
            assertNotNull(ca, service + ": sslrootcert");
            var mount = w.app().getVolumeMounts().stream().filter(m -> ca.startsWith(m.getMountPath() + "/")).findFirst()
                    .orElseGet(() -> fail(service + ": nothing mounted at " + ca));
            var volume = w.template().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
            assertNotNull(volume.getConfigMap(), service + ": the CA comes from a ConfigMap");
            assertTrue(volume.getConfigMap().getItems().stream().anyMatch(i -> ca.endsWith("/" + i.getPath())), service + ": " + ca);
        }
        assertTrue(prod.serviceWorkload("storefront").template().getSpec().getVolumes().stream().noneMatch(v -> v.getName().equals("db-ca")),
                "the storefront has no database");
    }

    /**
     * Connections: every replica's pool at maxReplicas, plus the migrations' own connection per starting pod,
     * must fit the database's max_connections minus PostgreSQL's superuser reserve. dev: the overlay's servers
     * (PostgreSQL's default 100); prod: the default 100 too, the assumption docs/deploy.md states (a server per
     * service; a shared server needs the sum, or a pooler).
     */
    @Test
    void databasePoolsFitMaxConnectionsAtMaxReplicas() {
        int maxConnections = 100;
        int superuserReserve = 3;
        for (Resources k8s : List.of(Resources.dev(), Resources.prod())) {
            for (String service : Repo.SERVICES_WITH_DATABASE) {
                int replicas = k8s.named(HorizontalPodAutoscaler.class, service).getSpec().getMaxReplicas();
                String pool = k8s.environment(k8s.serviceWorkload(service).app()).get("DB_POOL_SIZE");
                int size = Integer.parseInt(pool != null ? pool : ServiceFiles.config(service).get("db.pool.size"));
                int needed = replicas * (size + 1);
                assertTrue(needed <= maxConnections - superuserReserve, k8s.source() + " " + service + ": " + replicas + " replicas x ("
                        + size + " pooled + 1 migration) = " + needed + " connections, over max_connections " + maxConnections);
            }
            if (k8s.isProduction()) {
                assertTrue(Repo.read("docs/deploy.md").contains("max_connections"), "docs/deploy.md states the connection budget");
            }
        }
    }

    @Test
    void prodHasMoreReplicasAndLargerPodsThanDev() {
        Resources dev = Resources.dev();
        Resources prod = Resources.prod();
        for (String service : Repo.SERVICES) {
            assertTrue(prod.named(HorizontalPodAutoscaler.class, service).getSpec().getMinReplicas()
                    > dev.named(HorizontalPodAutoscaler.class, service).getSpec().getMinReplicas(), service);
            assertTrue(prod.named(HorizontalPodAutoscaler.class, service).getSpec().getMinReplicas() >= 2,
                    service + ": one replica cannot survive a disruption");
            assertTrue(memoryLimit(prod.serviceWorkload(service)) > memoryLimit(dev.serviceWorkload(service)), service);
        }
    }

    /** Heap, metaspace and the rest of the JVM must fit the memory limit, or the kernel kills the pod. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void jvmFitsItsMemoryLimit(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            String options = k8s.environment(w.app()).get("JAVA_TOOL_OPTIONS");
            String launcher = k8s.environment(w.app()).get("JDK_JAVA_OPTIONS");
            long heap = jvmSize(options, "-Xmx", w);
            long metaspace = jvmSize(options, "-XX:MaxMetaspaceSize=", w);
            long codeCache = jvmSize(options, "-XX:ReservedCodeCacheSize=", w);
            // Direct memory would default to -Xmx: it must be capped, and counts against the limit too.
            long direct = jvmSize(launcher, "-XX:MaxDirectMemorySize=", w);
            // Thread stacks, GC and other native memory: 16 MiB on top.
            long needed = heap + metaspace + codeCache + direct + 16L * 1024 * 1024;
            // Without a CPU limit the JVM would size its pools for every core of the node.
            Matcher processors = Pattern.compile("-XX:ActiveProcessorCount=(\\d+)").matcher(launcher);
            assertTrue(processors.find(), w + ": JDK_JAVA_OPTIONS sets -XX:ActiveProcessorCount (" + launcher + ")");
            long limit = memoryLimit(w);
            assertTrue(needed <= limit, w + ": JVM needs about " + needed / 1048576 + " MiB, limit is " + limit / 1048576 + " MiB");
            Quantity request = w.app().getResources().getRequests().get("memory");
            assertTrue(Quantity.getAmountInBytes(request).longValue() <= limit, w + ": memory request above the limit");
            assertNotNull(w.app().getResources().getRequests().get("cpu"), w + ": the autoscaler needs a CPU request");
        }
    }

    /** An untagged or :latest image is pulled Always, so an image loaded into kind would never be used. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void imagesHaveExplicitTags(Resources k8s) {
        for (Resources.Workload w : k8s.workloads()) {
            for (Container c : w.template().getSpec().getContainers()) {
                String image = c.getImage();
                String tag = image.substring(image.lastIndexOf('/') + 1);
                assertTrue(tag.contains(":") && !tag.endsWith(":latest"), w + ": image " + image + " needs a fixed tag");
            }
        }
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            String app = w.template().getMetadata().getLabels().get("app");
            assertTrue(w.app().getImage().matches("(.+/)?meshshop/" + app + ":[^:/]+"), w + ": " + w.app().getImage());
        }
    }

    /**
     * Autoscaling reads the service container's CPU only: a pod's Resource utilisation would include the sidecar's
     * usage and request, so Envoy's work would move the figure.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void autoscalersScaleOnTheAppContainersCpu(Resources k8s) {
        for (HorizontalPodAutoscaler hpa : k8s.all(HorizontalPodAutoscaler.class)) {
            Resources.Workload w = k8s.serviceWorkload(hpa.getSpec().getScaleTargetRef().getName());
            assertFalse(hpa.getSpec().getMetrics().isEmpty(), "HPA " + hpa.getMetadata().getName());
            for (var metric : hpa.getSpec().getMetrics()) {
                assertEquals("ContainerResource", metric.getType(), "HPA " + hpa.getMetadata().getName() + ": per container, not per pod");
                assertEquals(w.app().getName(), metric.getContainerResource().getContainer(), "HPA " + hpa.getMetadata().getName());
                assertEquals("cpu", metric.getContainerResource().getName());
                assertNotNull(w.app().getResources().getRequests().get("cpu"), w + ": Utilization needs a CPU request");
            }
        }
    }

    /** Readiness follows the database: during an outage every pod is unready, and a budget must not block drains then. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void disruptionBudgetsEvictUnhealthyPods(Resources k8s) {
        for (PodDisruptionBudget pdb : k8s.all(PodDisruptionBudget.class)) {
            assertEquals("AlwaysAllow", pdb.getSpec().getUnhealthyPodEvictionPolicy(), "PodDisruptionBudget " + pdb.getMetadata().getName());
        }
    }

    /** The readiness probe waits longer than the database check it triggers, or a slow database reads as a probe timeout. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void readinessProbeOutlastsTheDatabaseCheck(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            String app = w.template().getMetadata().getLabels().get("app");
            Integer timeout = w.app().getReadinessProbe().getTimeoutSeconds();
            Duration probe = Duration.ofSeconds(timeout == null ? 1 : timeout);
            if (Repo.SERVICES_WITH_DATABASE.contains(app)) {
                Duration check = ServiceFiles.databaseHealthTimeout(app);
                assertTrue(probe.compareTo(check) > 0, w + ": readiness probe timeout " + probe + " is not above the database check's " + check);
            }
        }
    }

    /** prod spreads each service's replicas over zones (required) and hosts (preferred), counting the same app and ReplicaSet. */
    @Test
    void prodSpreadsReplicasOverZonesAndHosts() {
        Resources prod = Resources.prod();
        for (Resources.Workload w : prod.serviceWorkloads()) {
            Map<String, String> whenUnsatisfiable = new java.util.HashMap<>();
            for (var constraint : w.template().getSpec().getTopologySpreadConstraints()) {
                whenUnsatisfiable.put(constraint.getTopologyKey(), constraint.getWhenUnsatisfiable());
                assertEquals(1, constraint.getMaxSkew(), w.toString());
                assertTrue(constraint.getMatchLabelKeys().containsAll(List.of("app", "pod-template-hash")),
                        w + ": counts the pods of its own app and ReplicaSet: " + constraint.getMatchLabelKeys());
                assertNotNull(constraint.getLabelSelector(), w + ": matchLabelKeys need a labelSelector");
            }
            assertEquals(Map.of("topology.kubernetes.io/zone", "DoNotSchedule", "kubernetes.io/hostname", "ScheduleAnyway"),
                    whenUnsatisfiable, w.toString());
        }
        for (Resources.Workload w : Resources.dev().serviceWorkloads()) {
            assertTrue(w.template().getSpec().getTopologySpreadConstraints().isEmpty(), w + ": a one-node kind cluster has nothing to spread over");
        }
    }

    /**
     * The images' AOT caches are trained with k8s/base/runtime.env's JAVA_TOOL_OPTIONS. A JDK 25 refuses a cache
     * written with another GC or object layout (measured: -XX:AOTMode=on fails without -XX:+UseCompactObjectHeaders),
     * and uses it with another heap, metaspace, code cache or JIT (measured with prod's options: docs/deploy.md, "Pod
     * sizing"). So every overlay keeps the trained GC and object layout.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void jvmOptionsKeepWhatTheAotCacheDependsOn(Resources k8s) {
        String trained = Repo.read("k8s/base/runtime.env").lines().filter(l -> l.startsWith("JAVA_TOOL_OPTIONS="))
                .findFirst().orElseThrow().substring("JAVA_TOOL_OPTIONS=".length());
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            Set<String> options = Set.of(k8s.environment(w.app()).get("JAVA_TOOL_OPTIONS").split("\\s+"));
            for (String flag : trained.split("\\s+")) {
                if (flag.startsWith("-XX:+Use") && (flag.endsWith("GC") || flag.equals("-XX:+UseCompactObjectHeaders"))) {
                    assertTrue(options.contains(flag), w + ": " + flag + " (the AOT cache was trained with it) is missing");
                }
            }
        }
    }

    private static long jvmSize(String options, String flag, Resources.Workload w) {
        Matcher m = Pattern.compile(Pattern.quote(flag) + "(\\d+)([kKmMgG])").matcher(options);
        if (!m.find()) {
            return fail(w + ": JAVA_TOOL_OPTIONS must set " + flag + " (" + options + ")");
        }
        long unit = switch (Character.toLowerCase(m.group(2).charAt(0))) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            default -> 1024L * 1024 * 1024;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    static long memoryLimit(Resources.Workload w) {
        Quantity limit = w.app().getResources().getLimits().get("memory");
        assertNotNull(limit, w + " has no memory limit");
        return Quantity.getAmountInBytes(limit).longValue();
    }

    private static ContainerPort httpPort(Resources.Workload w) {
        return w.app().getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
                .orElseGet(() -> fail(w + " has no container port named http"));
    }

    private static boolean resolves(IntOrString target, List<ContainerPort> ports) {
        return ports.stream().anyMatch(p -> target.getIntVal() != null
                ? target.getIntVal().equals(p.getContainerPort())
                : target.getStrVal().equals(p.getName()));
    }

    static List<Resources.Workload> podsSelectedBy(Resources k8s, Map<String, String> selector) {
        assertFalse(selector == null || selector.isEmpty(), "an empty selector selects everything");
        return k8s.workloads().stream().filter(w -> isSubset(selector, w.template().getMetadata().getLabels())).toList();
    }

    static boolean isSubset(Map<String, String> subset, Map<String, String> of) {
        return subset.entrySet().stream().allMatch(e -> e.getValue().equals(of.get(e.getKey())));
    }
}
