package io.meshshop.common.problem;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.meshshop.common.json.JsonFactories;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * An RFC 9457 problem document. Extensions carry machine-readable facts such as the id of an existing
 * payment; they must never carry stack traces or internal messages.
 */
public record Problem(ProblemType type, String detail, List<FieldError> errors, Map<String, JsonValue> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        errors = List.copyOf(errors);
        extensions = Map.copyOf(extensions);
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, detail, List.of(), Map.of());
    }

    public Problem with(String name, String value) {
        Map<String, JsonValue> more = new LinkedHashMap<>(extensions);
        more.put(name, JsonFactories.value(value));
        return new Problem(type, detail, errors, more);
    }

    public Problem with(String name, long value) {
        Map<String, JsonValue> more = new LinkedHashMap<>(extensions);
        more.put(name, JsonFactories.value(value));
        return new Problem(type, detail, errors, more);
    }

    public int status() {
        return type.status();
    }

    public byte[] toJsonBytes() {
        JsonObjectBuilder json = JsonFactories.object()
                .add("type", type.uri())
                .add("title", type.title())
                .add("status", type.status());
        if (detail != null) {
            json.add("detail", detail);
        }
        if (!errors.isEmpty()) {
            JsonArrayBuilder list = JsonFactories.array();
            errors.forEach(e -> list.add(JsonFactories.object().add("field", e.field()).add("message", e.message())));
            json.add("errors", list);
        }
        extensions.forEach(json::add);
        return json.build().toString().getBytes(StandardCharsets.UTF_8);
    }
}
