package io.meshshop.order.clients;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.observe.ClientTracing;

import io.helidon.config.Config;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;

/**
 * One service order calls, at one base URL, over the JDK's own HTTP client ({@code java.net.http}) with short
 * timeouts, and the reading of its answers. The client fails fast and never repeats a call itself: retries,
 * timeouts per try and outlier ejection are the mesh's (see mesh/*-timeouts-and-retries.yaml), and a second
 * layer of them here would multiply the load on a service that is already in trouble.
 *
 * <p>Connections are kept alive and reused. Not with Helidon 4.1.2's WebClient, whose connection cache fails
 * the next call on a connection idle for about the read timeout (docs/helidon-workarounds.md#webclient-keep-alive),
 * so a call per connection cost an accept, and in the cluster a sidecar's, each time. The JDK client's pool
 * has none of that: an idle pooled connection is watched by the client's selector, which drops it as soon as
 * the peer closes it, and it is closed by the client after {@code jdk.httpclient.keepalive.timeout} (30 s by
 * default since JDK 20; the JVM does not set it). That is below every idle timeout on the other side: the
 * services' 5 minutes (Helidon's {@code idle-connection-timeout}) and the sidecar's outbound listener's hour,
 * so the client closes an idle connection first and never sends a request on one its peer is closing.
 * ConnectionReuseTest shows both against a real server.
 *
 * <p>What the JDK client repeats on its own, and why that is not a retry layer: a refused connect is tried once
 * more at once (nothing was sent), and a GET whose reused connection turns out closed before any byte of the
 * answer is sent once more on a new one (user's read is safe to repeat). A POST is never sent twice by the client:
 * {@code jdk.httpclient.enableAllMethodRetry} is not set, and must not be; charges and refunds are repeated only by
 * the mesh, the saga or recovery, all with the same Idempotency-Key.
 */
final class Dependency {

    /** The threads that complete the client's exchanges: the callers themselves wait on virtual threads too. */
    private static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();

    private final HttpClient http;
    private final URI base;
    private final Duration readTimeout;

    private Dependency(HttpClient http, URI base, Duration readTimeout) {
        this.http = http;
        this.base = base;
        this.readTimeout = readTimeout;
    }

    /** Reads {@code url}, {@code timeout.connect} (default 1 s) and {@code timeout.read} (default 3 s). */
    static Dependency create(Config service) {
        HttpClient http = HttpClient.newBuilder()
                // Plain HTTP/1.1: no h2c upgrade attempt on the first request. The sidecar speaks HTTP/1.1 to
                // the application and does HTTP/2 or mTLS upstream itself.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(service.get("timeout.connect").as(Duration.class).orElse(Duration.ofSeconds(1)))
                .followRedirects(HttpClient.Redirect.NEVER)
                // The sidecar intercepts plain connections; a proxy from the JVM's properties must not.
                .proxy(HttpClient.Builder.NO_PROXY)
                .executor(THREADS)
                .build();
        return new Dependency(http, URI.create(service.get("url").asString().get()),
                service.get("timeout.read").as(Duration.class).orElse(Duration.ofSeconds(3)));
    }

    /** GET {@code path}, with the headers {@code headers} puts on the request. */
    Answer get(String path, Consumer<HttpRequest.Builder> headers) throws IOException {
        return send("GET", path, headers, HttpRequest.BodyPublishers.noBody());
    }

    /** POST {@code json} to {@code path}, with the headers {@code headers} puts on the request. */
    Answer post(String path, Consumer<HttpRequest.Builder> headers, JsonObject json) throws IOException {
        return send("POST", path, builder -> {
            headers.accept(builder);
            builder.header("Content-Type", "application/json");
        }, HttpRequest.BodyPublishers.ofString(json.toString()));
    }

    /**
     * One exchange, answer or failure, within the read timeout: the JDK's request timeout bounds the wait for the
     * answer's head only, so the whole exchange is bounded here as well (a body that stalls is no answer either).
     * Failures are IOExceptions: refused, reset, timed out, or an interrupted caller.
     */
    private Answer send(String method, String path, Consumer<HttpRequest.Builder> headers,
                        HttpRequest.BodyPublisher body) throws IOException {
        URI uri = base.resolve(path);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).method(method, body).timeout(readTimeout);
        headers.accept(builder);
        ClientTracing.Call call = ClientTracing.start(method, uri, (name, values) -> {
            // The client span's trace context replaces the one copied from the inbound request.
            builder.setHeader(name, values.getFirst());
            values.stream().skip(1).forEach(value -> builder.header(name, value));
        });
        CompletableFuture<HttpResponse<String>> exchange = http.sendAsync(builder.build(),
                HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = exchange.get(readTimeout.toNanos(), TimeUnit.NANOSECONDS);
            call.answered(response.statusCode());
            return Answer.read(response.statusCode(), response.body());
        } catch (TimeoutException e) {
            exchange.cancel(true);
            HttpTimeoutException timeout = new HttpTimeoutException(method + " " + uri + ": no answer within "
                    + readTimeout.toMillis() + " ms");
            call.failed(timeout);
            throw timeout;
        } catch (ExecutionException e) {
            IOException failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            call.failed(failure);
            throw failure;
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException(method + " " + uri + " interrupted");
            call.failed(interrupted);
            throw interrupted;
        }
    }

    /** One answer: its status and its body if the body is a JSON object (problem documents included). */
    record Answer(int status, Optional<JsonObject> json) {

        static Answer read(int status, String body) {
            try {
                return new Answer(status, Optional.of(JsonFactories.readObject(body)));
            } catch (JsonException | IllegalStateException e) {
                return new Answer(status, Optional.empty());
            }
        }

        /** A string member of the body, if there is one. */
        Optional<String> string(String name) {
            return json.filter(j -> j.get(name) instanceof jakarta.json.JsonString)
                    .map(j -> j.getString(name));
        }

        /** The slug of a problem document's type, empty for other bodies. */
        String problemType() {
            return string("type")
                    .map(type -> type.substring(type.lastIndexOf('/') + 1))
                    .orElse("");
        }
    }
}
