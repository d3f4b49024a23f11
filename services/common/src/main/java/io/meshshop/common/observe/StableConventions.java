package io.meshshop.common.observe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Rewrites the spans Helidon 4.1.2 makes into OpenTelemetry's stable semantic conventions on their way to the
 * exporter (docs/helidon-workarounds.md#old-span-attributes). Helidon's server tracing tags {@code http.method},
 * {@code http.status_code}, {@code http.url} and marks every 4xx as an error; its DbClient tracing makes INTERNAL
 * spans with {@code db.type}, {@code db.operation} (the statement type: GET, DML) and {@code db.statement}. All of
 * that is set inside Helidon, some of it as the span ends, so no code of ours runs late enough to change it on
 * the span itself, and an SDK span's kind cannot change after it started: the exported copy is the one place.
 *
 * <ul>
 *   <li>server spans: {@code http.request.method}, {@code http.response.status_code}, {@code url.path},
 *       {@code url.scheme}; a 4xx is the client's failure, not the server's, so its status is UNSET (a 5xx is
 *       ERROR with {@code error.type} = the status code);</li>
 *   <li>database spans: kind CLIENT, {@code db.system.name} (from the JDBC URL, see {@link #databaseSystem}),
 *       {@code db.operation.name} (the statement's SQL verb), {@code db.query.text} (the statement: always
 *       parameterised, the values never appear).</li>
 * </ul>
 * The old names are dropped, so a query in Jaeger finds one name for one thing. Spans that already follow the
 * conventions (ours: {@link ClientTracing}, {@link Spans#inNewTrace}) pass through unchanged.
 */
final class StableConventions implements SpanExporter {

    static final AttributeKey<String> OLD_HTTP_METHOD = AttributeKey.stringKey("http.method");
    static final AttributeKey<Long> OLD_HTTP_STATUS = AttributeKey.longKey("http.status_code");
    static final AttributeKey<String> OLD_HTTP_URL = AttributeKey.stringKey("http.url");
    static final AttributeKey<String> OLD_DB_TYPE = AttributeKey.stringKey("db.type");
    static final AttributeKey<String> OLD_DB_OPERATION = AttributeKey.stringKey("db.operation");
    static final AttributeKey<String> OLD_DB_STATEMENT = AttributeKey.stringKey("db.statement");

    static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<Long> HTTP_RESPONSE_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
    static final AttributeKey<String> DB_OPERATION_NAME = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");

    /** The first word of a statement: SELECT, INSERT, UPDATE, DELETE, MERGE, WITH ... */
    private static final Pattern VERB = Pattern.compile("^\\s*([A-Za-z]+)");
    /** {@code http://host:port/path?query}: scheme and path; the query is left out (it may carry anything). */
    private static final Pattern URL = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*)://[^/?#]*([^?#]*)");

    /** The database every DbClient span of this process talks to; set once the database is opened. */
    private static volatile String databaseSystem = "other_sql";

    private final SpanExporter delegate;

    StableConventions(SpanExporter delegate) {
        this.delegate = delegate;
    }

    /**
     * Names the database system for {@code db.system.name} from a JDBC URL: {@code postgresql}, {@code h2database}
     * (the conventions' values), else {@code other_sql}. Helidon's spans only say {@code jdbc}.
     */
    static void databaseSystem(String jdbcUrl) {
        databaseSystem = systemOf(jdbcUrl);
    }

    static String systemOf(String jdbcUrl) {
        String url = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:postgresql:")) {
            return "postgresql";
        }
        if (url.startsWith("jdbc:h2:")) {
            return "h2database";
        }
        return "other_sql";
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        List<SpanData> mapped = new ArrayList<>(spans.size());
        for (SpanData span : spans) {
            mapped.add(map(span));
        }
        return delegate.export(mapped);
    }

    static SpanData map(SpanData span) {
        Attributes attributes = span.getAttributes();
        if (attributes.get(OLD_DB_TYPE) != null || attributes.get(OLD_DB_STATEMENT) != null) {
            return database(span);
        }
        if (span.getKind() == SpanKind.SERVER
                && (attributes.get(OLD_HTTP_METHOD) != null || attributes.get(OLD_HTTP_STATUS) != null)) {
            return server(span);
        }
        return span;
    }

    private static SpanData server(SpanData span) {
        Attributes old = span.getAttributes();
        AttributesBuilder attributes = old.toBuilder();
        attributes.remove(OLD_HTTP_METHOD);
        attributes.remove(OLD_HTTP_STATUS);
        attributes.remove(OLD_HTTP_URL);
        putIfPresent(attributes, HTTP_REQUEST_METHOD, old.get(OLD_HTTP_METHOD));
        Long status = old.get(OLD_HTTP_STATUS);
        putIfPresent(attributes, HTTP_RESPONSE_STATUS, status);
        String url = old.get(OLD_HTTP_URL);
        if (url != null) {
            Matcher parts = URL.matcher(url);
            if (parts.find()) {
                attributes.put(URL_SCHEME, parts.group(1).toLowerCase(Locale.ROOT));
                attributes.put(URL_PATH, parts.group(2).isEmpty() ? "/" : parts.group(2));
            }
        }
        StatusData spanStatus = span.getStatus();
        if (status != null && status >= 500) {
            attributes.put(ERROR_TYPE, String.valueOf(status));
            spanStatus = StatusData.error();
        } else if (status != null && status >= 400) {
            // OpenTelemetry's HTTP conventions: a 4xx on a server span is not the server's error.
            spanStatus = StatusData.unset();
        }
        return new Rewritten(span, span.getKind(), attributes.build(), spanStatus);
    }

    private static SpanData database(SpanData span) {
        Attributes old = span.getAttributes();
        AttributesBuilder attributes = old.toBuilder();
        attributes.remove(OLD_DB_TYPE);
        attributes.remove(OLD_DB_OPERATION);
        attributes.remove(OLD_DB_STATEMENT);
        attributes.put(DB_SYSTEM_NAME, databaseSystem);
        String statement = old.get(OLD_DB_STATEMENT);
        putIfPresent(attributes, DB_QUERY_TEXT, statement);
        String operation = operation(statement, old.get(OLD_DB_OPERATION));
        putIfPresent(attributes, DB_OPERATION_NAME, operation);
        StatusData status = span.getStatus();
        if (status.getStatusCode() == io.opentelemetry.api.trace.StatusCode.ERROR && old.get(ERROR_TYPE) == null) {
            attributes.put(ERROR_TYPE, exceptionType(span));
        }
        return new Rewritten(span, SpanKind.CLIENT, attributes.build(), status);
    }

    /** The SQL verb of the statement ({@code SELECT}); Helidon's statement type when there is no text. */
    static String operation(String statement, String helidonType) {
        if (statement != null) {
            Matcher verb = VERB.matcher(statement);
            if (verb.find()) {
                return verb.group(1).toUpperCase(Locale.ROOT);
            }
        }
        return helidonType;
    }

    /** The exception's class from the span's exception event, as {@code error.type} wants it. */
    private static String exceptionType(SpanData span) {
        AttributeKey<String> type = AttributeKey.stringKey("exception.type");
        return span.getEvents().stream()
                .map(event -> event.getAttributes().get(type))
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse("_OTHER");
    }

    private static <T> void putIfPresent(AttributesBuilder builder, AttributeKey<T> key, T value) {
        if (value != null) {
            builder.put(key, value);
        }
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }

    /** A span as exported, with another kind, attributes and status. */
    private static final class Rewritten extends DelegatingSpanData {

        private final SpanKind kind;
        private final Attributes attributes;
        private final StatusData status;
        /** Attributes the SDK's limits dropped before export, still counted as Helidon set them. */
        private final int dropped;

        Rewritten(SpanData span, SpanKind kind, Attributes attributes, StatusData status) {
            super(span);
            this.kind = kind;
            this.attributes = attributes;
            this.status = status;
            this.dropped = Math.max(0, span.getTotalAttributeCount() - span.getAttributes().size());
        }

        @Override
        public SpanKind getKind() {
            return kind;
        }

        @Override
        public Attributes getAttributes() {
            return attributes;
        }

        @Override
        public int getTotalAttributeCount() {
            return attributes.size() + dropped;
        }

        @Override
        public StatusData getStatus() {
            return status;
        }
    }
}
