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
 * client, a customer's bearer token on every protected call. Every call is bounded by {@code timeout}; a call that hits it is an answer of -1, which the
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

    /** Registers a customer (open: no token); {@code key} may be null. */
    public Answer createUser(String key, String name, String email, String password) {
        String body = Json.createObjectBuilder().add("name", name).add("email", email).add("password", password)
                .build().toString();
        return send("POST", userBase + "/api/users", key, body);
    }

    /** {@code POST /api/sessions}: 200 with {@code accessToken} and {@code expiresIn} for the right password. */
    public Answer signIn(String email, String password) {
        String body = Json.createObjectBuilder().add("email", email).add("password", password).build().toString();
        return send("POST", userBase + "/api/sessions", null, body);
    }

    /** The customer reading themself by id, the way order checks a user. */
    public Answer getUser(Customer customer) {
        return send("GET", userBase + "/api/users/" + customer.id(), null, null, customer.bearer());
    }

    /** The customer reading themself as {@code /api/users/me}. */
    public Answer getMe(Customer customer) {
        return send("GET", userBase + "/api/users/me", null, null, customer.bearer());
    }

    /**
     * The JSON body of an order placement, kept by the ledger to send the very same request again. The order
     * is the signed-in caller's: the body names no user.
     */
    public static String orderBody(List<Line> lines) {
        JsonArrayBuilder items = Json.createArrayBuilder();
        for (Line line : lines) {
            items.add(Json.createObjectBuilder().add("sku", line.sku()).add("quantity", line.quantity()));
        }
        return Json.createObjectBuilder().add("items", items).build().toString();
    }

    public Answer placeOrder(Customer customer, String key, String body) {
        return send("POST", orderBase + "/api/orders", key, body, customer.bearer());
    }

    public Answer cancelOrder(Customer customer, UUID orderId, String key) {
        return send("POST", orderBase + "/api/orders/" + orderId + "/cancel", key, null, customer.bearer());
    }

    public Answer getOrder(Customer customer, UUID orderId) {
        return send("GET", orderBase + "/api/orders/" + orderId, null, null, customer.bearer());
    }

    /** The customer's own orders, newest first. */
    public Answer listOrders(Customer customer) {
        return send("GET", orderBase + "/api/orders", null, null, customer.bearer());
    }

    public Answer products() {
        return send("GET", orderBase + "/api/products", null, null);
    }

    /** Any call without a token (open routes, and payment, which is internal); {@code key} and {@code body} may be null. */
    public Answer send(String method, String url, String key, String body) {
        return send(method, url, key, body, null);
    }

    /** Any call; {@code key}, {@code body} and {@code bearer} (the access token) may be null. */
    public Answer send(String method, String url, String key, String body, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
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
