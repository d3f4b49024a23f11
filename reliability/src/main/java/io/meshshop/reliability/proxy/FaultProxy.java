package io.meshshop.reliability.proxy;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small HTTP/1.1 proxy on 127.0.0.1 that stands where a sidecar stands and injects faults.
 *
 * <p>Two layers, as in a pod: the {@link Fault}s act on the wire between the proxy and the upstream (a
 * duplicated delivery, a reset after the upstream committed, latency, a stall), and, when a mesh route is
 * set, the proxy answers like Envoy would with that route: per-try timeouts, retries on the route's
 * {@code retryOn} conditions, the route timeout, and Envoy's local replies (503 for a reset or a refused
 * connection, 504 for a timeout). Without a route the caller sees the wire as it is: a reset is a reset, a
 * stall is a stall. Outlier detection is counted with the DestinationRule's thresholds (an ejection is
 * reported, not enforced: with one endpoint Envoy's panic threshold would route to it anyway).
 *
 * <p>Each attempt uses a fresh upstream connection ({@code Connection: close}); callers keep theirs alive.
 * An attempt that times out is not recalled: what was already sent, or held in the network, still arrives.
 */
public final class FaultProxy implements AutoCloseable {

    /** One upstream instance; in rotation unless the suite (imitating endpoint updates) takes it out. */
    public static final class Endpoint {
        private final String name;
        private final int port;
        private volatile boolean inRotation = true;
        private final AtomicLong answered = new AtomicLong();
        private int consecutive5xx;
        private int consecutiveGateway;

        public Endpoint(String name, int port) {
            this.name = name;
            this.port = port;
        }

        public String name() {
            return name;
        }

        public void inRotation(boolean value) {
            inRotation = value;
        }

        public boolean inRotation() {
            return inRotation;
        }

        /** Answers this endpoint gave (any status). */
        public long answered() {
            return answered.get();
        }
    }

    /** What one attempt at the upstream gave. */
    private sealed interface Outcome {
        record Answer(HttpMessage response, Endpoint endpoint) implements Outcome {
        }

        record ConnectFailure(Endpoint endpoint) implements Outcome {
        }

        record Reset(Endpoint endpoint) implements Outcome {
        }

        record NoHealthyUpstream() implements Outcome {
        }
    }

    /** The figures of one proxy; read by the suites' tables. */
    public static final class Counters {
        public final AtomicLong requests = new AtomicLong();
        public final AtomicLong attempts = new AtomicLong();
        public final AtomicLong retries = new AtomicLong();
        public final AtomicLong perTryTimeouts = new AtomicLong();
        public final AtomicLong routeTimeouts = new AtomicLong();
        public final AtomicLong localReplies = new AtomicLong();
        public final AtomicLong upstream5xx = new AtomicLong();
        public final AtomicLong resetsToCaller = new AtomicLong();
        public final AtomicLong deliveries = new AtomicLong();
        public final AtomicLong ejections = new AtomicLong();

        @Override
        public String toString() {
            return "requests " + requests + ", deliveries " + deliveries + ", retries " + retries + ", per-try timeouts "
                   + perTryTimeouts + ", route timeouts " + routeTimeouts + ", local replies " + localReplies
                   + ", upstream 5xx " + upstream5xx + ", resets to caller " + resetsToCaller + ", ejections " + ejections;
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Bounds an abandoned attempt: nothing the proxy starts outlives a minute. */
    private static final int UPSTREAM_READ_TIMEOUT_MS = 60_000;
    private static final long RETRY_BACKOFF_MS = 25;

    private final String name;
    private final ServerSocket server;
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final Set<Socket> callers = ConcurrentHashMap.newKeySet();
    private volatile Counters counters = new Counters();
    private volatile List<Fault> faults = List.of();
    private volatile MeshSettings.RouteTable routes;
    private volatile MeshSettings.Outlier outlier = MeshSettings.Outlier.none();
    private volatile boolean closed;

    private FaultProxy(String name, ServerSocket server) {
        this.name = name;
        this.server = server;
    }

    /** Starts a proxy on a free loopback port in front of {@code upstreamPorts}. */
    public static FaultProxy start(String name, int... upstreamPorts) {
        try {
            ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            FaultProxy proxy = new FaultProxy(name, server);
            for (int i = 0; i < upstreamPorts.length; i++) {
                proxy.endpoints.add(new Endpoint(name + "-" + (i + 1), upstreamPorts[i]));
            }
            Thread.ofPlatform().name("proxy-" + name).daemon().start(proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException("Could not start proxy " + name, e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public String name() {
        return name;
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public Counters counters() {
        return counters;
    }

    /** Starts the figures afresh (each phase of a suite reports its own). */
    public void resetCounters() {
        counters = new Counters();
    }

    /** The faults for requests from now on (empty: none). */
    public void faults(Fault... newFaults) {
        faults = List.of(newFaults);
    }

    /** Answers like Envoy with these routes and outlier thresholds; null routes: the bare network. */
    public void mesh(MeshSettings.RouteTable newRoutes, MeshSettings.Outlier newOutlier) {
        routes = newRoutes;
        outlier = newOutlier == null ? MeshSettings.Outlier.none() : newOutlier;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket caller = server.accept();
                callers.add(caller);
                Thread.ofVirtual().name("proxy-" + name + "-conn").start(() -> serve(caller));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("proxy " + name + ": accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket caller) {
        try (caller) {
            caller.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(caller.getInputStream());
            OutputStream out = new BufferedOutputStream(caller.getOutputStream());
            while (!closed) {
                HttpMessage request = HttpMessage.readRequest(in);
                if (request == null) {
                    return;
                }
                counters.requests.incrementAndGet();
                HttpMessage response = handle(request);
                if (response == null) {
                    // The wire reset the connection: the caller must see a reset, not a close.
                    counters.resetsToCaller.incrementAndGet();
                    caller.setSoLinger(true, 0);
                    return;
                }
                // Closing after this answer must be said in it, or the caller reuses a connection we close. Only
                // the caller's own request decides: the upstream's Connection: close answers the proxy's one
                // connection per attempt, and a sidecar keeps its caller's connection whatever the upstream does
                // (closing here would hide whether order reuses its connections at all).
                boolean close = request.wantsClose();
                response.writeTo(out, close);
                if (close) {
                    return;
                }
            }
        } catch (IOException e) {
            // The caller went away (its own timeout) or sent something that is not HTTP; nothing to answer.
        } finally {
            callers.remove(caller);
        }
    }

    /** The answer for the caller, or null for a reset. */
    private HttpMessage handle(HttpMessage request) {
        Fault fault = null;
        for (Fault candidate : faults) {
            if (candidate.hits(request)) {
                fault = candidate;
                break;
            }
        }
        MeshSettings.RouteTable table = routes;
        MeshSettings.Route route = table == null ? MeshSettings.Route.none() : table.route(request.method(),
                pathOf(request.target()));
        if (table == null) {
            // The bare network: whatever failed on the wire reaches the caller as a reset.
            Outcome outcome = attempt(request, fault);
            return outcome instanceof Outcome.Answer answer ? answer.response() : null;
        }
        return envoy(request, route, fault);
    }

    /** Envoy's router: attempts within per-try and route timeouts, retries on the route's conditions. */
    private HttpMessage envoy(HttpMessage request, MeshSettings.Route route, Fault fault) {
        long start = System.nanoTime();
        long routeDeadline = route.timeout().isZero() ? Long.MAX_VALUE : start + route.timeout().toNanos();
        int attempts = 1 + route.retries();
        Outcome last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                counters.retries.incrementAndGet();
                sleep(RETRY_BACKOFF_MS);
            }
            long now = System.nanoTime();
            if (now >= routeDeadline) {
                counters.routeTimeouts.incrementAndGet();
                return local(504, "Gateway Timeout", "upstream request timeout");
            }
            long budget = routeDeadline - now;
            boolean perTryBound = !route.perTryTimeout().isZero() && route.perTryTimeout().toNanos() < budget;
            if (perTryBound) {
                budget = route.perTryTimeout().toNanos();
            }
            Fault thisAttempt = attempt == 1 || (fault != null && fault.appliesToRetries()) ? fault : null;
            CompletableFuture<Outcome> running = new CompletableFuture<>();
            Thread.ofVirtual().name("proxy-" + name + "-attempt").start(() -> running.complete(attempt(request, thisAttempt)));
            Outcome outcome;
            try {
                outcome = budget == Long.MAX_VALUE ? running.get() : running.get(budget, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (!perTryBound) {
                    counters.routeTimeouts.incrementAndGet();
                    return local(504, "Gateway Timeout", "upstream request timeout");
                }
                counters.perTryTimeouts.incrementAndGet();
                last = null;
                // Envoy counts a timed-out attempt as a locally originated gateway failure of that host.
                outlierFailure(null, true);
                if (retriable(route, "timeout") && attempt < attempts) {
                    continue;
                }
                return local(504, "Gateway Timeout", "upstream request timeout");
            } catch (InterruptedException | ExecutionException e) {
                Thread.currentThread().interrupt();
                return local(503, "Service Unavailable", "proxy interrupted");
            }
            last = outcome;
            switch (outcome) {
                case Outcome.Answer answer -> {
                    int status = answer.response().status();
                    if (status >= 500) {
                        outlierFailure(answer.endpoint(), status == 502 || status == 503 || status == 504);
                    } else {
                        outlierSuccess(answer.endpoint());
                    }
                    boolean gateway = status == 502 || status == 503 || status == 504;
                    boolean retry = (gateway && route.retryOn().contains("gateway-error"))
                                    || (status >= 500 && route.retryOn().contains("5xx"));
                    if (!retry || attempt == attempts) {
                        return answer.response();
                    }
                }
                case Outcome.ConnectFailure failure -> {
                    outlierFailure(failure.endpoint(), true);
                    if (!retriable(route, "connect-failure") || attempt == attempts) {
                        return local(503, "Service Unavailable",
                                "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
                    }
                }
                case Outcome.Reset reset -> {
                    outlierFailure(reset.endpoint(), true);
                    if (!retriable(route, "reset") || attempt == attempts) {
                        return local(503, "Service Unavailable",
                                "upstream connect error or disconnect/reset before headers. reset reason: connection termination");
                    }
                }
                case Outcome.NoHealthyUpstream none -> {
                    return local(503, "Service Unavailable", "no healthy upstream");
                }
            }
        }
        // Only reached when the last attempt was retriable but no attempts remain (handled above).
        return last instanceof Outcome.Answer answer ? answer.response()
                : local(503, "Service Unavailable", "upstream connect error or disconnect/reset before headers");
    }

    /**
     * Whether Envoy retries a failure of this kind (a reset, a refused connection, a per-try timeout) under
     * the route's retryOn: {@code reset}, {@code 5xx} and {@code gateway-error} all retry the three (Envoy
     * counts them as the 503/504 they become); {@code connect-failure} only a refused connection.
     */
    private static boolean retriable(MeshSettings.Route route, String failure) {
        Set<String> on = route.retryOn();
        if (on.contains("reset") || on.contains("5xx") || on.contains("gateway-error")) {
            return true;
        }
        return failure.equals("connect-failure") && on.contains("connect-failure");
    }

    private HttpMessage local(int status, String reason, String text) {
        counters.localReplies.incrementAndGet();
        return HttpMessage.localReply(status, reason, text);
    }

    /** One attempt, with the fault (if any) applied on the wire. */
    private Outcome attempt(HttpMessage request, Fault fault) {
        counters.attempts.incrementAndGet();
        if (fault == null) {
            return deliver(request);
        }
        switch (fault.kind()) {
            case DUPLICATE -> {
                deliver(request);
                return deliver(request);
            }
            case DUPLICATE_CONCURRENT -> {
                CompletableFuture<Outcome> first = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> first.complete(deliver(request)));
                Outcome second = deliver(request);
                first.join();
                return second;
            }
            case RESET_AFTER_COMMIT -> {
                Outcome outcome = deliver(request);
                return outcome instanceof Outcome.Answer answer ? new Outcome.Reset(answer.endpoint()) : outcome;
            }
            case DELAY_REQUEST -> {
                sleep(fault.delay().toMillis());
                return deliver(request);
            }
            case HOLD_RESPONSE -> {
                Outcome outcome = deliver(request);
                sleep(fault.delay().toMillis());
                return outcome;
            }
            default -> throw new IllegalStateException("unknown fault " + fault.kind());
        }
    }

    /** Sends the request over a new connection to the next endpoint in rotation and reads the answer. */
    private Outcome deliver(HttpMessage request) {
        Endpoint endpoint = pick();
        if (endpoint == null) {
            return new Outcome.NoHealthyUpstream();
        }
        try (Socket upstream = new Socket()) {
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.port),
                        (int) CONNECT_TIMEOUT.toMillis());
            } catch (ConnectException | SocketTimeoutException e) {
                return new Outcome.ConnectFailure(endpoint);
            }
            upstream.setSoTimeout(UPSTREAM_READ_TIMEOUT_MS);
            upstream.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(upstream.getOutputStream());
            request.writeTo(out, true);
            counters.deliveries.incrementAndGet();
            HttpMessage response = HttpMessage.readResponse(new BufferedInputStream(upstream.getInputStream()),
                    request.method());
            if (response.status() >= 500) {
                counters.upstream5xx.incrementAndGet();
            }
            endpoint.answered.incrementAndGet();
            return new Outcome.Answer(response, endpoint);
        } catch (IOException e) {
            return new Outcome.Reset(endpoint);
        }
    }

    private Endpoint pick() {
        List<Endpoint> candidates = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            if (endpoint.inRotation) {
                candidates.add(endpoint);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }

    /** Envoy's consecutive-error counters per host; an ejection resets them (and is counted here). */
    private synchronized void outlierFailure(Endpoint endpoint, boolean gatewayError) {
        Endpoint host = endpoint != null ? endpoint : (endpoints.size() == 1 ? endpoints.getFirst() : null);
        if (host == null) {
            return;
        }
        host.consecutive5xx++;
        if (gatewayError) {
            host.consecutiveGateway++;
        } else {
            host.consecutiveGateway = 0;
        }
        if (host.consecutive5xx >= outlier.consecutive5xxErrors()
            || host.consecutiveGateway >= outlier.consecutiveGatewayErrors()) {
            counters.ejections.incrementAndGet();
            host.consecutive5xx = 0;
            host.consecutiveGateway = 0;
        }
    }

    private synchronized void outlierSuccess(Endpoint endpoint) {
        endpoint.consecutive5xx = 0;
        endpoint.consecutiveGateway = 0;
    }

    private static String pathOf(String target) {
        int query = target.indexOf('?');
        return query >= 0 ? target.substring(0, query) : target;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The proxy's figures in one line, with its faults and mesh route. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Fault fault : faults) {
            parts.add(fault + " (" + fault.injected() + " hit)");
        }
        return name + ": " + counters + (parts.isEmpty() ? "" : "; faults: " + String.join(", ", parts));
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // Closing; nothing else to do.
        }
        for (Socket caller : callers) {
            try {
                caller.close();
            } catch (IOException e) {
                // Closing; nothing else to do.
            }
        }
    }
}
