package io.meshshop.reliability.proxy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.Yaml;

/**
 * What Envoy would do, read from our own {@code mesh/} files rather than copied into code: the
 * VirtualService routes (timeout, retries.attempts, retries.perTryTimeout, retries.retryOn) and the
 * DestinationRule's outlierDetection. A suite that imitates the mesh names the file and route it imitates,
 * and a change to those files changes what the suites imitate.
 *
 * <p>Retry conditions are Envoy's, and only those the imitation can tell apart are accepted: a route with
 * another condition fails to load instead of being imitated wrongly. Writes in mesh/ retry only where the
 * request cannot have reached the service ({@code connect-failure}, {@code refused-stream},
 * {@code reset-before-request}); the imitation's refused connection is such a failure, and it never sends
 * half a request, so for it {@code reset-before-request} means a refused connection too.
 */
public final class MeshSettings {

    /** Conditions after which the request may have reached the service and run: a repeat may act twice. */
    static final Set<String> AFTER_THE_REQUEST_WAS_SENT = Set.of("reset", "5xx", "gateway-error", "retriable-status-codes");

    /** Conditions that only fire when the request never reached the service. */
    static final Set<String> BEFORE_THE_REQUEST_WAS_SENT = Set.of("connect-failure", "refused-stream", "reset-before-request");

    /**
     * One VirtualService HTTP route.
     *
     * @param source        file and route name, printed by the suites
     * @param timeout       the whole request's budget, retries included (zero: none)
     * @param retries       how many times Envoy tries again after the first attempt
     * @param perTryTimeout each attempt's budget (zero: the route timeout)
     * @param retryOn       the retry conditions, e.g. connect-failure, reset, gateway-error
     */
    public record Route(String source, Duration timeout, int retries, Duration perTryTimeout, Set<String> retryOn) {

        /** A route that neither retries nor times out: the network without a mesh. */
        public static Route none() {
            return new Route("no mesh", Duration.ZERO, 0, Duration.ZERO, Set.of());
        }

        /**
         * Whether Envoy may repeat a request that reached the service (after a reset, a per-try timeout or an
         * answered 5xx): never for a write in mesh/, since the first attempt may have run.
         */
        public boolean mayRepeatARequestThatRan() {
            return retries > 0 && retryOn.stream().anyMatch(AFTER_THE_REQUEST_WAS_SENT::contains);
        }

        /** Whether Envoy repeats a request whose connection was refused (nothing was sent). */
        public boolean retriesARefusedConnection() {
            return retries > 0 && retryOn.stream().anyMatch(c -> c.equals("connect-failure") || c.equals("reset-before-request")
                    || AFTER_THE_REQUEST_WAS_SENT.contains(c));
        }

        @Override
        public String toString() {
            return source + " (timeout " + millis(timeout) + ", retries " + retries + ", perTryTimeout "
                   + millis(perTryTimeout) + ", retryOn " + String.join(",", retryOn) + ")";
        }
    }

    /** A DestinationRule's outlierDetection. */
    public record Outlier(String source, int consecutive5xxErrors, int consecutiveGatewayErrors,
                          Duration baseEjectionTime) {
        public static Outlier none() {
            return new Outlier("no mesh", Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ZERO);
        }

        @Override
        public String toString() {
            return source + " (consecutive5xxErrors " + consecutive5xxErrors + ", consecutiveGatewayErrors "
                   + consecutiveGatewayErrors + ", baseEjectionTime " + millis(baseEjectionTime) + ")";
        }
    }

    /** The routes of one VirtualService, matched the way Envoy does: the first route whose match fits. */
    public record RouteTable(List<Matcher> routes) {

        public Route route(String method, String path) {
            for (Matcher matcher : routes) {
                if (matcher.matches(method, path)) {
                    return matcher.route();
                }
            }
            return Route.none();
        }
    }

    /** One route and its matches (any of them; none means every request). */
    public record Matcher(List<Map<String, Object>> matches, Route route) {

        boolean matches(String method, String path) {
            if (matches.isEmpty()) {
                return true;
            }
            for (Map<String, Object> match : matches) {
                if (fits(match.get("method"), method, true) && fits(match.get("uri"), path, false)) {
                    return true;
                }
            }
            return false;
        }

        @SuppressWarnings("unchecked")
        private static boolean fits(Object condition, String value, boolean exactOnly) {
            if (!(condition instanceof Map<?, ?> map)) {
                return true;
            }
            Map<String, Object> rule = (Map<String, Object>) map;
            if (rule.get("exact") != null) {
                return rule.get("exact").toString().equals(value);
            }
            if (!exactOnly && rule.get("prefix") != null) {
                return value.startsWith(rule.get("prefix").toString());
            }
            return true;
        }
    }

    private MeshSettings() {
    }

    /** The routes of the VirtualService in {@code mesh/FILE}. */
    @SuppressWarnings("unchecked")
    public static RouteTable routes(Path meshDir, String file) {
        Map<String, Object> resource = load(meshDir.resolve(file));
        Map<String, Object> spec = (Map<String, Object>) resource.get("spec");
        List<Matcher> matchers = new ArrayList<>();
        for (Object item : (List<Object>) spec.get("http")) {
            Map<String, Object> http = (Map<String, Object>) item;
            Map<String, Object> retries = (Map<String, Object>) http.getOrDefault("retries", Map.of());
            Set<String> retryOn = new LinkedHashSet<>();
            Object on = retries.get("retryOn");
            if (on != null) {
                for (String condition : on.toString().split(",")) {
                    String c = condition.trim();
                    if (!AFTER_THE_REQUEST_WAS_SENT.contains(c) && !BEFORE_THE_REQUEST_WAS_SENT.contains(c)) {
                        throw new IllegalStateException("mesh/" + file + " route " + http.get("name") + ": retryOn " + c
                                + " is not a condition the imitation knows (" + AFTER_THE_REQUEST_WAS_SENT + ", "
                                + BEFORE_THE_REQUEST_WAS_SENT + "); teach MeshSettings and FaultProxy what Envoy does with it");
                    }
                    retryOn.add(c);
                }
            }
            Route route = new Route("mesh/" + file + " route " + http.getOrDefault("name", "(unnamed)"),
                    duration(http.get("timeout")),
                    retries.get("attempts") == null ? 0 : ((Number) retries.get("attempts")).intValue(),
                    duration(retries.get("perTryTimeout")), Set.copyOf(retryOn));
            List<Map<String, Object>> matches = (List<Map<String, Object>>) http.getOrDefault("match", List.of());
            matchers.add(new Matcher(matches, route));
        }
        return new RouteTable(matchers);
    }

    /** The outlierDetection of the DestinationRule in {@code mesh/FILE}. */
    @SuppressWarnings("unchecked")
    public static Outlier outlier(Path meshDir, String file) {
        Map<String, Object> resource = load(meshDir.resolve(file));
        Map<String, Object> policy = (Map<String, Object>) ((Map<String, Object>) resource.get("spec")).get("trafficPolicy");
        Map<String, Object> outlier = (Map<String, Object>) policy.get("outlierDetection");
        // Envoy's defaults where the rule leaves a field out: 5 consecutive 5xx, gateway errors off, 30 s.
        return new Outlier("mesh/" + file,
                ((Number) outlier.getOrDefault("consecutive5xxErrors", 5)).intValue(),
                ((Number) outlier.getOrDefault("consecutiveGatewayErrors", Integer.MAX_VALUE)).intValue(),
                outlier.get("baseEjectionTime") == null ? Duration.ofSeconds(30) : duration(outlier.get("baseEjectionTime")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return (Map<String, Object>) new Yaml().load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file, e);
        }
    }

    /** Istio durations: 600ms, 1s, 1.5s, 2m, 1h. */
    static Duration duration(Object value) {
        if (value == null) {
            return Duration.ZERO;
        }
        String text = value.toString().trim();
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        double amount = Double.parseDouble(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofMillis(Math.round(amount * 1000));
            case 'm' -> Duration.ofMillis(Math.round(amount * 60_000));
            case 'h' -> Duration.ofMillis(Math.round(amount * 3_600_000));
            default -> throw new IllegalArgumentException("Not an Istio duration: " + text);
        };
    }

    static String millis(Duration duration) {
        return duration.isZero() ? "none" : duration.toMillis() + "ms";
    }
}
