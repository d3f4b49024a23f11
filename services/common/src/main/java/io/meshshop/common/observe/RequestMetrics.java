package io.meshshop.common.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.common.parameters.Parameters;
import io.helidon.http.RoutedPath;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * RED metrics per route: one latency histogram {@code meshshop_http_server_requests_seconds} labelled by
 * method, route template and status, so rate, errors and duration all come from one series family.
 * The route is the template ({@code /api/users/{id}}), never the raw path, to keep cardinality low;
 * requests that matched no route share the label {@code unmatched}.
 */
public final class RequestMetrics implements Filter {

    static final String UNMATCHED = "unmatched";

    private volatile Timers timers = new Timers(null);

    /** Buckets around a mesh's budgets: a checkout should end well inside its 3 s route timeout. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5)
    };

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        // Read before routing: afterwards req.path() is relative to the matched service ("/ready" for
        // /observe/health/ready), which once let the observe endpoints into the request metrics
        // (docs/helidon-workarounds.md#server-span-names-and-routes).
        String path = req.path().absolute().path();
        Timers current = timers();
        long start = System.nanoTime();
        try {
            chain.proceed();
        } finally {
            if (!path.startsWith("/observe") && !path.startsWith("/openapi")) {
                int status = res.status().code();
                String method = req.prologue().method().text();
                String route = route(req.path(), status);
                current.timer(method, route, status).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                nameServerSpan(method, route);
            }
        }
    }

    /**
     * Helidon names every server span "HTTP Request"; Jaeger lists operations by span name, so the span is
     * renamed to the route template ("GET /api/users/{id}") as OpenTelemetry's HTTP conventions name it.
     * Unmatched requests keep just the method, never the raw path (any client can make up paths).
     * See docs/helidon-workarounds.md#server-span-names-and-routes.
     */
    static void nameServerSpan(String method, String route) {
        if (UNMATCHED.equals(route)) {
            Spans.rename(method);
        } else {
            Spans.rename(method + " " + route);
            Spans.tag("http.route", route);
        }
    }

    /** The route template, rebuilt from the matched path parameters. */
    static String route(RoutedPath path, int status) {
        Parameters params = path.pathParameters();
        if (params.names().isEmpty() && status == 404) {
            return UNMATCHED;
        }
        String route = path.absolute().path();
        for (String name : params.names()) {
            route = route.replace("/" + params.get(name), "/{" + name + "}");
        }
        return route;
    }

    /**
     * The timers of the current registry. getOrCreate builds tags and a builder and hashes them on every call;
     * the profile found that at a few percent of a simple request. Timers are kept per registry: tests start
     * several servers in one JVM, and each installs a new global registry when it starts
     * (docs/helidon-workarounds.md#the-metrics-registry). A new registry also gets the series
     * {@link Meters#preRegister} asked for, before the request (the first scrape, say) is served.
     */
    private Timers timers() {
        MeterRegistry registry = Metrics.globalRegistry();
        Timers current = timers;
        if (current.registry != registry) {
            current = new Timers(registry);
            Meters.registerPreRegistered(registry);
            timers = current;
        }
        return current;
    }

    /** The timers of one registry, by method, route template and status: one per series the registry holds. */
    private record Timers(MeterRegistry registry, Map<String, Timer> byKey) {

        Timers(MeterRegistry registry) {
            this(registry, new ConcurrentHashMap<>());
        }

        Timer timer(String method, String route, int status) {
            return byKey.computeIfAbsent(method + ' ' + status + ' ' + route,
                    key -> registry.getOrCreate(Timer.builder("meshshop.http.server.requests")
                            .description("HTTP requests served, by route template and status")
                            .buckets(BUCKETS)
                            .tags(List.of(Tag.create("method", method), Tag.create("route", route),
                                    Tag.create("status", String.valueOf(status))))));
        }
    }
}
