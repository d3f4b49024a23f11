package io.meshshop.reliability.load;

import java.io.StringReader;
import java.util.Optional;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;

/**
 * One answer as a client saw it: the status (-1: no answer at all, {@code error} says why), the body if it
 * was a JSON object, and how long it took.
 */
public record Answer(int status, String contentType, String retryAfter, JsonObject json, long millis, String error) {

    public static Answer of(int status, String contentType, String retryAfter, String body, long millis) {
        JsonObject json = null;
        if (body != null && !body.isBlank()) {
            try (JsonReader reader = Json.createReader(new StringReader(body))) {
                json = reader.readObject();
            } catch (JsonException | IllegalStateException e) {
                json = null;
            }
        }
        return new Answer(status, contentType, retryAfter, json, millis, null);
    }

    public static Answer failed(String error, long millis) {
        return new Answer(-1, null, null, null, millis, error);
    }

    public boolean answered() {
        return status > 0;
    }

    /** True for an {@code application/problem+json} body with a type, a title and the same status. */
    public boolean problem() {
        return contentType != null && contentType.startsWith("application/problem+json") && json != null
               && json.get("type") instanceof JsonString && json.get("title") instanceof JsonString
               && json.get("status") instanceof JsonNumber n && n.intValue() == status;
    }

    /** The last segment of a problem's type, e.g. {@code database-unavailable}; empty for other bodies. */
    public String problemType() {
        return string("type").map(type -> type.substring(type.lastIndexOf('/') + 1)).orElse("");
    }

    public Optional<String> string(String name) {
        return json != null && json.get(name) instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }

    /** A short label for tallies: the status, the problem type when there is one, or the error. */
    public String label() {
        if (!answered()) {
            return "no answer (" + error + ")";
        }
        String type = problemType();
        return status + (type.isEmpty() ? "" : " " + type);
    }
}
