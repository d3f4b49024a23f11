package io.meshshop.common.idempotency;

import java.nio.charset.StandardCharsets;

import io.meshshop.common.problem.Problem;

import jakarta.json.JsonObject;

/**
 * A response as it is stored for replay: status, the headers that matter to a client, and the body.
 *
 * @param location Location header, or null
 */
public record Reply(int status, String contentType, String location, byte[] body) {

    public static final String JSON = "application/json";

    public static Reply created(String location, JsonObject body) {
        return new Reply(201, JSON, location, bytes(body));
    }

    public static Reply ok(JsonObject body) {
        return new Reply(200, JSON, null, bytes(body));
    }

    public static Reply noContent() {
        return new Reply(204, null, null, new byte[0]);
    }

    public static Reply problem(Problem problem) {
        return new Reply(problem.status(), Problem.MEDIA_TYPE, null, problem.toJsonBytes());
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(JsonObject json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
