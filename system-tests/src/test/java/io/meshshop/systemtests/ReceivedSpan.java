package io.meshshop.systemtests;

import java.util.Map;

/**
 * One span as an OTLP receiver decoded it. Ids are lower-case hex as in {@code traceparent}; a root span
 * has an empty {@code parentSpanId}.
 *
 * @param service    the resource's service.name
 * @param resource   every resource attribute, as strings
 * @param attributes every span attribute, as strings
 * @param kind       SERVER, CLIENT, INTERNAL, ... (OTLP's enum without the SPAN_KIND_ prefix)
 * @param status     UNSET, OK or ERROR
 */
record ReceivedSpan(String service, Map<String, String> resource, String scope, String traceId, String spanId,
                    String parentSpanId, String name, String kind, Map<String, String> attributes,
                    String status, long startNanos) {

    boolean isServer() {
        return kind.equals("SERVER");
    }

    boolean isClient() {
        return kind.equals("CLIENT");
    }

    /** A span of a database statement: OpenTelemetry's db.* attributes (Helidon's, renamed by StableConventions). */
    boolean isDatabase() {
        return attributes.keySet().stream().anyMatch(key -> key.startsWith("db."));
    }

    @Override
    public String toString() {
        return service + " " + kind + " \"" + name + "\" " + spanId + " parent=" + (parentSpanId.isEmpty() ? "-" : parentSpanId);
    }
}
