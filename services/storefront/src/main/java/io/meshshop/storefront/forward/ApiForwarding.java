package io.meshshop.storefront.forward;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.meshshop.common.observe.ClientTracing;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;

import io.helidon.config.Config;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A local run's stand-in for the ingress: {@code /api/users}, {@code /api/sessions} and {@code /.well-known}
 * to user, {@code /api/products} and {@code /api/orders} to order, so the page calls its API on its own
 * origin as it does in the cluster. Off unless {@code forward.enabled}; in the cluster the ingress gateway
 * routes these paths to the services and this class is not on the request path.
 *
 * <p>It is a transparent hop: method, path, query, headers and body go on unchanged, and the service's
 * status, headers and body come back unchanged (problem documents included), less the hop-by-hop headers
 * (RFC 9110 7.6.1), which describe one connection and not the message. It never retries: a repeat of a
 * write is the page's decision, made with the same Idempotency-Key. A service that does not answer is a
 * 503 problem with Retry-After, as the mesh would answer.
 */
public final class ApiForwarding implements HttpService {

    private static final System.Logger LOG = System.getLogger(ApiForwarding.class.getName());

    /** RFC 9110 7.6.1, and Proxy-Connection, which some clients still send. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");
    /**
     * Set for the new hop by the client or server (Host, Content-Length), or left out so that the body
     * arrives as the service wrote it (Accept-Encoding: WebClient would otherwise be free to decode it).
     */
    private static final Set<String> REWRITTEN = Set.of("host", "content-length", "accept-encoding");

    private final Target user;
    private final Target order;

    private ApiForwarding(Target user, Target order) {
        this.user = user;
        this.order = order;
    }

    /** Reads {@code user.url}, {@code order.url}, {@code timeout.connect} and {@code timeout.read}. */
    public static ApiForwarding create(Config forward) {
        Duration connect = forward.get("timeout.connect").as(Duration.class).orElse(Duration.ofSeconds(1));
        Duration read = forward.get("timeout.read").as(Duration.class).orElse(Duration.ofSeconds(10));
        return new ApiForwarding(
                new Target("user", forward.get("user.url").asString().orElse("http://localhost:8081"), connect, read),
                new Target("order", forward.get("order.url").asString().orElse("http://localhost:8082"), connect, read));
    }

    @Override
    public void routing(HttpRules rules) {
        // Path templates rather than prefixes, so the request metrics label a route, not each order id.
        rules.any("/api/users", user)
                .any("/api/users/{+rest}", user)
                .any("/api/sessions", user)
                .any("/api/sessions/{+rest}", user)
                .any("/.well-known/{+rest}", user)
                .any("/api/products", order)
                .any("/api/products/{+rest}", order)
                .any("/api/orders", order)
                .any("/api/orders/{+rest}", order);
    }

    /** One service: a WebClient for its base URL, and the handler that forwards to it. */
    private static final class Target implements Handler {

        private final String name;
        private final String baseUrl;
        private final WebClient client;

        Target(String name, String baseUrl, Duration connect, Duration read) {
            this.name = name;
            this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
            this.client = WebClient.builder()
                    .baseUri(this.baseUrl)
                    .connectTimeout(connect)
                    .readTimeout(read)
                    .followRedirects(false)
                    // A fresh connection per call, as order's clients do (services/order/.../Dependency.java):
                    // Helidon 4.1.2's connection cache can fail a call on a reused connection.
                    .keepAlive(false)
                    .proxy(Proxy.noProxy())
                    .servicesDiscoverServices(false)
                    .addService(ClientTracing.create())
                    .build();
        }

        @Override
        public void handle(ServerRequest req, ServerResponse res) {
            String target = req.path().rawPath() + (req.query().rawValue().isEmpty() ? "" : "?" + req.query().rawValue());
            // WebClient decodes the URI and encodes it again on the wire (with encoding skipped it would send
            // a decoded query's non-ASCII characters as they are).
            HttpClientRequest outbound = client.method(req.prologue().method())
                    .uri(URI.create(baseUrl + target));
            Set<String> dropped = droppedRequestHeaders(req);
            for (Header header : req.headers()) {
                if (!dropped.contains(header.name().toLowerCase(Locale.ROOT))) {
                    outbound.header(header);
                }
            }
            byte[] body = req.content().hasEntity() ? readBody(req) : null;
            try (HttpClientResponse answer = body == null ? outbound.request() : outbound.submit(body)) {
                // The whole body first: should the service fail mid-answer, nothing of it was copied yet
                // and the 503 below goes out clean.
                byte[] answerBody = answer.inputStream().readAllBytes();
                res.status(answer.status());
                Set<String> droppedAnswer = connectionHeaders(answer.headers().contains(HeaderNames.CONNECTION)
                        ? answer.headers().get(HeaderNames.CONNECTION).allValues(true) : List.of());
                for (Header header : answer.headers()) {
                    if (!droppedAnswer.contains(header.name().toLowerCase(Locale.ROOT))) {
                        res.header(header);
                    }
                }
                res.send(answerBody);
            } catch (IOException | RuntimeException e) {
                // WebClient reports a refused connection or a timeout as a runtime exception. Once the
                // answer is on its way, a failure can only be reported by cutting the connection.
                if (res.isSent()) {
                    throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
                }
                unavailable(req, res, e);
            }
        }

        private void unavailable(ServerRequest req, ServerResponse res, Exception e) {
            LOG.log(System.Logger.Level.INFO, "Forwarding " + req.prologue().method().text() + " "
                    + req.path().rawPath() + " to " + name + " failed: " + e.getClass().getSimpleName()
                    + ": " + e.getMessage());
            Problems.send(res, new ProblemException(Problem.of(ProblemType.DEPENDENCY_UNAVAILABLE,
                    "The " + name + " service is not answering; try again shortly."), Problems.RETRY_AFTER_SECONDS));
        }

        private static byte[] readBody(ServerRequest req) {
            try {
                return req.content().inputStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Set<String> droppedRequestHeaders(ServerRequest req) {
            Set<String> dropped = connectionHeaders(req.headers().contains(HeaderNames.CONNECTION)
                    ? req.headers().get(HeaderNames.CONNECTION).allValues(true) : List.of());
            dropped.addAll(REWRITTEN);
            return dropped;
        }

        /** The hop-by-hop headers, and the ones Connection names as hop-by-hop for this message. */
        private static Set<String> connectionHeaders(List<String> connectionOptions) {
            Set<String> names = new HashSet<>(HOP_BY_HOP);
            names.add("content-length");
            connectionOptions.forEach(option -> names.add(option.strip().toLowerCase(Locale.ROOT)));
            return names;
        }
    }
}
