package io.meshshop.manifests;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Parses manifests into the fabric8 Kubernetes and Istio models, strictly. Those models never reject an
 * unknown field: they keep it in an additionalProperties map. So after parsing, every such map in the
 * object graph must be empty, and serialising the model back must give the same tree as the input (which
 * also catches a value the model silently dropped or converted, e.g. an enum read as null or a number
 * given where Kubernetes wants a string).
 */
final class StrictManifests {

    /** The kinds meshshop uses, by apiVersion/kind. Anything else is a mistake (or a new kind to add here). */
    private static final Map<String, Class<? extends HasMetadata>> MODELS = Map.ofEntries(
            Map.entry("v1/Namespace", io.fabric8.kubernetes.api.model.Namespace.class),
            Map.entry("v1/ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry("apps/v1/StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class),
            Map.entry("policy/v1/PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler",
                    io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry("batch/v1/CronJob", io.fabric8.kubernetes.api.model.batch.v1.CronJob.class),
            Map.entry("batch/v1/Job", io.fabric8.kubernetes.api.model.batch.v1.Job.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", io.fabric8.kubernetes.api.model.rbac.Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class),
            Map.entry("gateway.networking.k8s.io/v1/Gateway", io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class),
            Map.entry("gateway.networking.k8s.io/v1/HTTPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class),
            Map.entry("networking.istio.io/v1/ServiceEntry", io.fabric8.istio.api.networking.v1.ServiceEntry.class),
            Map.entry("networking.istio.io/v1/Gateway", io.fabric8.istio.api.networking.v1.Gateway.class),
            Map.entry("networking.istio.io/v1/VirtualService", io.fabric8.istio.api.networking.v1.VirtualService.class),
            Map.entry("networking.istio.io/v1/DestinationRule", io.fabric8.istio.api.networking.v1.DestinationRule.class),
            Map.entry("networking.istio.io/v1/Sidecar", io.fabric8.istio.api.networking.v1.Sidecar.class),
            Map.entry("security.istio.io/v1/PeerAuthentication", io.fabric8.istio.api.security.v1.PeerAuthentication.class),
            Map.entry("security.istio.io/v1/AuthorizationPolicy", io.fabric8.istio.api.security.v1.AuthorizationPolicy.class),
            Map.entry("security.istio.io/v1/RequestAuthentication",
                    io.fabric8.istio.api.security.v1.RequestAuthentication.class),
            Map.entry("telemetry.istio.io/v1/Telemetry", io.fabric8.istio.api.telemetry.v1.Telemetry.class));

    /** YAML in: duplicate keys are an error (YAML would silently keep the last one). */
    static final YAMLMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .build();

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private StrictManifests() {
    }

    /** One parsed manifest: where it came from, the input tree, and the typed model. */
    record Manifest(String source, JsonNode tree, HasMetadata model) {

        String kind() {
            return model.getKind();
        }

        String name() {
            return model.getMetadata().getName();
        }

        @Override
        public String toString() {
            return kind() + " " + name() + " (" + source + ")";
        }
    }

    /** Every YAML document of a text (a file or kustomize output), strictly parsed. */
    static List<Manifest> parseAll(String source, String yaml) {
        List<Manifest> manifests = new ArrayList<>();
        int index = 0;
        for (JsonNode document : documents(source, yaml)) {
            manifests.add(parse(source + " #" + index++, document));
        }
        return manifests;
    }

    static List<JsonNode> documents(String source, String yaml) {
        List<JsonNode> documents = new ArrayList<>();
        try (JsonParser parser = YAML.createParser(yaml)) {
            MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && !document.isMissingNode() && !document.isNull()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(source + ": not valid YAML: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new AssertionError(source + ": not valid YAML: " + e.getMessage(), e);
        }
        return documents;
    }

    static Manifest parse(String source, JsonNode tree) {
        String type = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
        Class<? extends HasMetadata> model = MODELS.get(type);
        if (model == null) {
            throw new AssertionError(source + ": " + type + " is not a kind meshshop uses (known: "
                    + new TreeSet<>(MODELS.keySet()) + ")");
        }
        HasMetadata parsed;
        try {
            parsed = YAML.treeToValue(tree, model);
        } catch (IOException | IllegalArgumentException e) {
            throw new AssertionError(source + ": does not parse as " + type + ": " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(parsed, "", unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) {
            throw new AssertionError(source + ": unknown field(s) in " + type + ": " + unknown);
        }
        JsonNode back = JSON.valueToTree(parsed);
        List<String> differences = new ArrayList<>();
        compare("", tree, back, differences);
        if (!differences.isEmpty()) {
            throw new AssertionError(source + ": " + type + " does not survive a parse/serialise round trip"
                    + " (a value the model dropped or changed): " + differences);
        }
        return new Manifest(source, tree, parsed);
    }

    /** Walks the model's fields; every non-empty additionalProperties map is a field the model did not know. */
    private static void collectUnknownFields(Object value, String path, List<String> unknown,
                                             IdentityHashMap<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (value instanceof Collection<?> collection) {
            int i = 0;
            for (Object element : collection) {
                collectUnknownFields(element, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Enum<?> || !value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Object fieldValue = read(field, value);
                if (field.getName().equals("additionalProperties") && fieldValue instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> unknown.add((path.isEmpty() ? "" : path + ".") + k));
                } else {
                    collectUnknownFields(fieldValue, path + "." + field.getName(), unknown, seen);
                }
            }
        }
    }

    private static Object read(Field field, Object owner) {
        try {
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Cannot read " + field + " of " + owner.getClass(), e);
        }
    }

    /** Structural equality, numbers by value (100 and 100.0 are the same number). */
    private static void compare(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected == null || expected.isNull()) {
            // Embedded resources (a StatefulSet's volumeClaimTemplates) get apiVersion and kind from the model.
            boolean modelDefault = path.endsWith(".apiVersion") || path.endsWith(".kind");
            if (actual != null && !actual.isNull() && !actual.isMissingNode() && !modelDefault) {
                differences.add(path + ": null in the input but " + actual + " in the model");
            }
            return;
        }
        if (actual == null || actual.isMissingNode() || actual.isNull()) {
            differences.add(path + ": " + expected + " in the input, absent from the model");
            return;
        }
        if (expected.isNumber() && actual.isNumber()) {
            if (new BigDecimal(expected.asText()).compareTo(new BigDecimal(actual.asText())) != 0) {
                differences.add(path + ": " + expected + " became " + actual);
            }
            return;
        }
        if (expected.getNodeType() != actual.getNodeType()) {
            differences.add(path + ": " + expected.getNodeType() + " " + expected + " became "
                    + actual.getNodeType() + " " + actual);
            return;
        }
        if (expected.isObject()) {
            Set<String> names = new TreeSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                compare(path + "." + name, expected.get(name), actual.get(name), differences);
            }
        } else if (expected.isArray()) {
            if (expected.size() != actual.size()) {
                differences.add(path + ": " + expected.size() + " items became " + actual.size());
                return;
            }
            Iterator<JsonNode> e = expected.elements();
            Iterator<JsonNode> a = actual.elements();
            for (int i = 0; e.hasNext(); i++) {
                compare(path + "[" + i + "]", e.next(), a.next(), differences);
            }
        } else if (!expected.equals(actual)) {
            differences.add(path + ": " + expected + " became " + actual);
        }
    }
}
