package io.meshshop.common.observe;

import java.time.Duration;
import java.util.List;

import io.helidon.common.parameters.Parameters;
import io.helidon.http.RoutedPath;
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

    /** Buckets around a mesh's budgets: a checkout should end well inside its 3 s route timeout. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5)
    };

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        try {
            chain.proceed();
        } finally {
            String path = req.path().path();
            if (!path.startsWith("/observe") && !path.startsWith("/openapi")) {
                record(req.prologue().method().text(), route(req.path(), res.status().code()),
                        res.status().code(), System.nanoTime() - start);
            }
        }
    }

    /** The route template, rebuilt from the matched path parameters. */
    static String route(RoutedPath path, int status) {
        Parameters params = path.pathParameters();
        if (params.names().isEmpty() && status == 404) {
            return "unmatched";
        }
        String route = path.absolute().path();
        for (String name : params.names()) {
            route = route.replace("/" + params.get(name), "/{" + name + "}");
        }
        return route;
    }

    private static void record(String method, String route, int status, long nanos) {
        Metrics.globalRegistry().getOrCreate(Timer.builder("meshshop.http.server.requests")
                        .description("HTTP requests served, by route template and status")
                        .buckets(BUCKETS)
                        .tags(List.of(Tag.create("method", method), Tag.create("route", route),
                                Tag.create("status", String.valueOf(status)))))
                .record(Duration.ofNanos(nanos));
    }
}
