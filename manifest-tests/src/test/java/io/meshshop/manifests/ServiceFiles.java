package io.meshshop.manifests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the services' own files say: their configuration (application.yaml) and their API
 * (META-INF/openapi.yaml). The manifests are checked against these, so a missing file fails.
 */
final class ServiceFiles {

    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    /** The contract's names for the URLs of called services: USER_SERVICE_URL names a call to user. */
    private static final Pattern SERVICE_URL_ENV = Pattern.compile("([A-Z]+)_SERVICE_URL");

    private ServiceFiles() {
    }

    static String applicationYaml(String service) {
        return "services/" + service + "/src/main/resources/application.yaml";
    }

    static String openApiYaml(String service) {
        return "services/" + service + "/src/main/resources/META-INF/openapi.yaml";
    }

    /** application.yaml flattened to dotted keys with their scalar values (list items as key.0, key.1...). */
    static Map<String, String> config(String service) {
        String file = applicationYaml(service);
        List<JsonNode> documents = StrictManifests.documents(file, Repo.read(file));
        Map<String, String> flat = new TreeMap<>();
        for (JsonNode document : documents) {
            flatten("", document, flat);
        }
        return flat;
    }

    /**
     * The environment variable that overrides a key, by the services' rule (application.yaml says: upper
     * case, dots as underscores; Helidon reads a double underscore as a dash).
     */
    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace("-", "__").replace('.', '_');
    }

    /** The services that a service's configuration names a URL for: the call edges it makes. */
    static Map<String, String> calledServiceUrlKeys(String service) {
        Map<String, String> called = new TreeMap<>();
        config(service).forEach((key, value) -> {
            Matcher byName = SERVICE_URL_ENV.matcher(environmentName(key));
            if (byName.matches()) {
                called.put(byName.group(1).toLowerCase(Locale.ROOT), key);
            }
            Matcher byPlaceholder = Pattern.compile("\\$\\{" + SERVICE_URL_ENV.pattern()).matcher(value);
            while (byPlaceholder.find()) {
                called.put(byPlaceholder.group(1).toLowerCase(Locale.ROOT), key);
            }
        });
        return called;
    }

    static Set<String> calledServices(String service) {
        return new TreeSet<>(calledServiceUrlKeys(service).keySet());
    }

    /**
     * How long a service takes to stop after SIGTERM: it first reports not-ready and keeps serving for
     * shutdown.drain, then stops the server, which waits up to server.shutdown-grace-period.
     */
    static Duration shutdownTime(String service) {
        Map<String, String> config = config(service);
        return duration(config, service, "shutdown.drain").plus(duration(config, service, "server.shutdown-grace-period"));
    }

    /**
     * How long the service's server keeps an idle connection open: server.idle-connection-timeout, else
     * Helidon 4.1.2's default (ListenerConfig: PT5M, checked every idle-connection-period, PT2M).
     */
    static Duration serverIdleConnectionTimeout(String service) {
        String configured = config(service).get("server.idle-connection-timeout");
        return configured == null ? Duration.ofMinutes(5) : parseDuration(configured, applicationYaml(service) + " server.idle-connection-timeout");
    }

    /**
     * The timeout of the readiness check's database query: db.health-timeout, else the default the services'
     * shared code gives it (services/common Observability: DbClientHealthCheck ... timeout, read from the source).
     */
    static Duration databaseHealthTimeout(String service) {
        String configured = config(service).get("db.health-timeout");
        if (configured != null) {
            return parseDuration(configured, applicationYaml(service) + " db.health-timeout");
        }
        String source = Repo.read("services/common/src/main/java/io/meshshop/common/observe/Observability.java");
        Matcher m = Pattern.compile("\"health-timeout\"\\)[^;]*?Duration\\.ofSeconds\\((\\d+)\\)", Pattern.DOTALL).matcher(source);
        if (!m.find()) {
            return fail("services/common Observability.java: no default for db.health-timeout found");
        }
        return Duration.ofSeconds(Long.parseLong(m.group(1)));
    }

    /**
     * The read timeout of a service's HTTP client for one called service, beside the key that holds that
     * service's URL: user.service.url goes with user.service.read-timeout or user.service.timeout.read.
     */
    static Duration clientReadTimeout(String service, String called) {
        Map<String, String> config = config(service);
        String urlKey = calledServiceUrlKeys(service).get(called);
        if (urlKey == null) {
            return fail(applicationYaml(service) + " names no URL for " + called);
        }
        String prefix = urlKey.contains(".") ? urlKey.substring(0, urlKey.lastIndexOf('.') + 1) : "";
        Set<String> readTimeoutKeys = Set.of("read-timeout", "timeout.read", "read.timeout");
        List<String> candidates = config.keySet().stream()
                .filter(key -> key.startsWith(prefix) && readTimeoutKeys.contains(key.substring(prefix.length())))
                .toList();
        if (candidates.size() != 1) {
            return fail(applicationYaml(service) + ": expected one read timeout beside " + urlKey + " ("
                    + prefix + "{read-timeout, timeout.read}), found " + candidates + " among " + config.keySet());
        }
        return parseDuration(config.get(candidates.get(0)), applicationYaml(service) + " " + candidates.get(0));
    }

    /** An operation of a service's OpenAPI document: upper-case method and path template. */
    record Operation(String method, String path) {

        /** The path with each template parameter filled in, as a request would carry it. */
        String samplePath() {
            return path.replaceAll("\\{[^}/]+}", "x1");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static List<Operation> operations(String service) {
        String file = openApiYaml(service);
        JsonNode document = StrictManifests.documents(file, Repo.read(file)).get(0);
        JsonNode paths = document.path("paths");
        if (!paths.isObject() || paths.isEmpty()) {
            return fail(file + " has no paths");
        }
        List<Operation> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
                String method = methods.next();
                if (HTTP_METHODS.contains(method)) {
                    operations.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey()));
                }
            }
        }
        return operations;
    }

    /** ISO-8601 (PT2S, as the services' config uses) or Istio/Go style (2s, 500ms, 1m). */
    static Duration parseDuration(String text, String where) {
        if (text == null) {
            return fail(where + " is not set");
        }
        String t = text.trim();
        try {
            if (t.startsWith("PT") || t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)").matcher(t);
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                long millis = switch (m.group(2)) {
                    case "ms" -> Math.round(amount);
                    case "s" -> Math.round(amount * 1_000);
                    case "m" -> Math.round(amount * 60_000);
                    default -> Math.round(amount * 3_600_000);
                };
                return Duration.ofMillis(millis);
            }
        } catch (RuntimeException e) {
            // reported below
        }
        return fail(where + ": \"" + text + "\" is not a duration");
    }

    private static Duration duration(Map<String, String> config, String service, String key) {
        return parseDuration(config.get(key), applicationYaml(service) + " " + key);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> flat) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), flat));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "." + i, node.get(i), flat);
            }
        } else {
            flat.put(prefix, node.asText());
        }
    }
}
