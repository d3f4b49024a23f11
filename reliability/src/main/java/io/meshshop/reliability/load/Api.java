package io.meshshop.reliability.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;

/**
 * The public API as a client (or the ingress gateway) calls it: plain JSON over HTTP/1.1 with the JDK
 * client. Every call is bounded by {@code timeout}; a call that hits it is an answer of -1, which the
 * suites count as a hang.
 */
public final class Api {

    /** One order line. */
    public record Line(String sku, int quantity) {
    }

    private final HttpClient http;
    private final String orderBase;
    private final String userBase;
    private final Duration timeout;

    public Api(String orderBase, String userBase, Duration timeout) {
        this.orderBase = orderBase;
        this.userBase = userBase;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    public Answer createUser(String key, String name, String email) {
        String body = Json.createObjectBuilder().add("name", name).add("email", email).build().toString();
        return send("POST", userBase + "/api/users", key, body);
    }

    public Answer getUser(UUID id) {
        return send("GET", userBase + "/api/users/" + id, null, null);
    }

    public Answer listUsers(int limit) {
        return send("GET", userBase + "/api/users?limit=" + limit, null, null);
    }

    /** The JSON body of an order placement; kept by the ledger to send the very same request again. */
    public static String orderBody(UUID userId, List<Line> lines) {
        JsonArrayBuilder items = Json.createArrayBuilder();
        for (Line line : lines) {
            items.add(Json.createObjectBuilder().add("sku", line.sku()).add("quantity", line.quantity()));
        }
        return Json.createObjectBuilder().add("userId", userId.toString()).add("items", items).build().toString();
    }

    public Answer placeOrder(String key, String body) {
        return send("POST", orderBase + "/api/orders", key, body);
    }

    public Answer cancelOrder(UUID orderId, String key) {
        return send("POST", orderBase + "/api/orders/" + orderId + "/cancel", key, null);
    }

    public Answer getOrder(UUID orderId) {
        return send("GET", orderBase + "/api/orders/" + orderId, null, null);
    }

    public Answer listOrders(UUID userId) {
        return send("GET", orderBase + "/api/orders?userId=" + userId, null, null);
    }

    public Answer products() {
        return send("GET", orderBase + "/api/products", null, null);
    }

    /** Any call; {@code key} and {@code body} may be null. */
    public Answer send(String method, String url, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return Answer.of(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.headers().firstValue("Retry-After").orElse(null), response.body(), millisSince(start));
        } catch (java.net.http.HttpTimeoutException e) {
            return Answer.failed("timeout after " + timeout.toMillis() + " ms", millisSince(start));
        } catch (IOException e) {
            return Answer.failed(e.getClass().getSimpleName(), millisSince(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.failed("interrupted", millisSince(start));
        }
    }

    /** An id of a fresh JSON object, e.g. the user id of a 201. */
    public static UUID id(Answer answer) {
        return answer.string("id").map(UUID::fromString).orElse(null);
    }

    static JsonObject empty() {
        return Json.createObjectBuilder().build();
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
