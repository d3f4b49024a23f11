package io.meshshop.manifests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import static org.junit.jupiter.api.Assertions.fail;

/** The strictly parsed output of one kustomization (or file), with look-ups the contract tests share. */
final class Resources {

    private final String source;
    private final List<StrictManifests.Manifest> manifests;
    private final boolean production;

    private Resources(String source, List<StrictManifests.Manifest> manifests, boolean production) {
        this.source = source;
        this.manifests = manifests;
        this.production = production;
    }

    static Resources of(String source, String yaml) {
        return new Resources(source, StrictManifests.parseAll(source, yaml), false);
    }

    private static Resources production(String source, String yaml) {
        return new Resources(source, StrictManifests.parseAll(source, yaml), true);
    }

    /** Rendered for production (k8s/overlays/prod and its mesh), else for dev. */
    boolean isProduction() {
        return production;
    }

    static Resources dev() {
        return of(Kustomize.DEV, Kustomize.render(Kustomize.DEV));
    }

    static Resources prod() {
        return production(Kustomize.PROD, Kustomize.render(Kustomize.PROD));
    }

    /** mesh/ with the Gateway API as the ingress. */
    static Resources meshGatewayApi() {
        return of(Kustomize.DEV_MESH_GATEWAY_API, Kustomize.render(Kustomize.DEV_MESH_GATEWAY_API));
    }

    /** mesh/ for a gateway installed with Istio's Helm chart. */
    static Resources meshHelmChartGateway() {
        return of(Kustomize.DEV_MESH_HELM_CHART_GATEWAY, Kustomize.render(Kustomize.DEV_MESH_HELM_CHART_GATEWAY));
    }

    /** The production mesh overlay. */
    static Resources prodMesh() {
        return production(Kustomize.PROD_MESH, Kustomize.render(Kustomize.PROD_MESH));
    }

    /** The production mesh overlay with the Helm chart's gateway, as its kustomization's comment says to add it. */
    static Resources prodMeshHelmChartGateway() {
        return production(Kustomize.PROD_MESH + " with " + Kustomize.HELM_CHART_GATEWAY,
                Kustomize.renderComposed("prod-mesh-helm", Kustomize.PROD_MESH, Kustomize.HELM_CHART_GATEWAY));
    }

    /** Every way meshshop's mesh resources can be rendered: the ingress variants, dev and prod. */
    static List<Resources> allMeshes() {
        return List.of(mesh(), meshWithOptional(), meshHelmChartGateway(), meshGatewayApi(), prodMesh(), prodMeshHelmChartGateway());
    }

    static Resources mesh() {
        return of(Kustomize.MESH, Kustomize.render(Kustomize.MESH));
    }

    /** The dev overlay with its optional components (order v2) enabled. */
    static Resources devWithOptional() {
        return of(Kustomize.DEV + " with optional components", Kustomize.renderWithOptionalComponents(Kustomize.DEV, "k8s"));
    }

    /** mesh/ with every optional component enabled. */
    static Resources meshWithOptional() {
        return of(Kustomize.MESH + " with optional components", Kustomize.renderWithOptionalComponents(Kustomize.MESH));
    }

    String source() {
        return source;
    }

    List<StrictManifests.Manifest> manifests() {
        return manifests;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        List<T> found = new ArrayList<>();
        for (StrictManifests.Manifest m : manifests) {
            if (type.isInstance(m.model())) {
                found.add(type.cast(m.model()));
            }
        }
        return found;
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T named(Class<T> type, String name) {
        return find(type, name).orElseGet(() -> fail(source + " has no " + type.getSimpleName() + " named " + name));
    }

    /** A generated ConfigMap or Secret keeps its name with a content hash appended. */
    <T extends HasMetadata> Optional<T> findGenerated(Class<T> type, String name) {
        return all(type).stream()
                .filter(r -> r.getMetadata().getName().equals(name)
                        || r.getMetadata().getName().matches(java.util.regex.Pattern.quote(name) + "-[a-z0-9]{10}"))
                .findFirst();
    }

    /** Something that runs pods: a Deployment or a StatefulSet. */
    record Workload(String kind, String name, Map<String, String> labels, LabelSelector selector,
                    PodTemplateSpec template, Integer replicas) {

        Container app() {
            return template.getSpec().getContainers().get(0);
        }

        @Override
        public String toString() {
            return kind + " " + name;
        }
    }

    List<Workload> workloads() {
        List<Workload> workloads = new ArrayList<>();
        for (Deployment d : all(Deployment.class)) {
            workloads.add(new Workload("Deployment", d.getMetadata().getName(), d.getMetadata().getLabels(),
                    d.getSpec().getSelector(), d.getSpec().getTemplate(), d.getSpec().getReplicas()));
        }
        for (StatefulSet s : all(StatefulSet.class)) {
            workloads.add(new Workload("StatefulSet", s.getMetadata().getName(), s.getMetadata().getLabels(),
                    s.getSpec().getSelector(), s.getSpec().getTemplate(), s.getSpec().getReplicas()));
        }
        return workloads;
    }

    /** The meshshop service Deployments (label app is one of the contract's services), all versions. */
    List<Workload> serviceWorkloads() {
        return workloads().stream()
                .filter(w -> Repo.SERVICES.contains(w.template().getMetadata().getLabels().get("app")))
                .toList();
    }

    Workload serviceWorkload(String service) {
        return workloads().stream()
                .filter(w -> w.name().equals(service))
                .findFirst()
                .orElseGet(() -> fail(source + " has no workload " + service));
    }

    /**
     * A container's environment as the kubelet builds it: envFrom ConfigMaps in order, then env. Values from
     * a Secret are decoded when the Secret is in this output, else shown as {@code <secret NAME/KEY>}.
     */
    Map<String, String> environment(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                String name = from.getConfigMapRef().getName();
                ConfigMap map = find(ConfigMap.class, name)
                        .orElseGet(() -> fail(source + ": envFrom names ConfigMap " + name + ", which is not there"));
                env.putAll(map.getData());
            } else {
                fail(source + ": only envFrom configMapRef is used in meshshop, found " + from);
            }
        }
        for (EnvVar var : container.getEnv()) {
            if (var.getValueFrom() == null) {
                env.put(var.getName(), expand(var.getValue(), env));
            } else if (var.getValueFrom().getSecretKeyRef() != null) {
                String name = var.getValueFrom().getSecretKeyRef().getName();
                String key = var.getValueFrom().getSecretKeyRef().getKey();
                env.put(var.getName(), find(Secret.class, name)
                        .map(s -> decode(s, key))
                        .orElse("<secret " + name + "/" + key + ">"));
            } else {
                fail(source + ": env " + var.getName() + " comes from neither a value nor a Secret");
            }
        }
        return env;
    }

    /** The kubelet's $(NAME) expansion: from the variables defined before (envFrom's, then env's in order); others stay. */
    static String expand(String value, Map<String, String> defined) {
        if (value == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = defined.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String decode(Secret secret, String key) {
        String encoded = secret.getData() == null ? null : secret.getData().get(key);
        if (encoded == null) {
            return fail(source + ": Secret " + secret.getMetadata().getName() + " has no key " + key);
        }
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
}
