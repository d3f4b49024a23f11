package io.meshshop.common.json;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;

/**
 * JSON-P's factories (builders, values, a reader for peers' answers) from one provider looked up once.
 * {@code jakarta.json.Json.createObjectBuilder()} and friends look the provider up again on every call (a
 * ServiceLoader scan of the class path): the benchmark's profile found that lookup at about 11% of the user
 * service's CPU per request. Use these instead of {@code Json.create*} in request paths.
 */
public final class JsonFactories {

    private static final JsonProvider PROVIDER = JsonProvider.provider();
    private static final JsonBuilderFactory BUILDERS = PROVIDER.createBuilderFactory(Map.of());
    private static final JsonReaderFactory READERS = PROVIDER.createReaderFactory(Map.of());

    private JsonFactories() {
    }

    public static JsonObjectBuilder object() {
        return BUILDERS.createObjectBuilder();
    }

    public static JsonArrayBuilder array() {
        return BUILDERS.createArrayBuilder();
    }

    /** {@code {"items":[...]}}: how every list is answered, each value written by {@code toJson}. */
    public static <T> JsonObject items(List<T> values, Function<T, JsonObject> toJson) {
        JsonArrayBuilder items = array();
        values.forEach(value -> items.add(toJson.apply(value)));
        return object().add("items", items).build();
    }

    public static JsonString value(String value) {
        return PROVIDER.createValue(value);
    }

    public static JsonNumber value(long value) {
        return PROVIDER.createValue(value);
    }

    /**
     * Reads a JSON object written by a trusted peer (another meshshop service). Requests from clients go
     * through {@link JsonInput}, which is strict about duplicate keys, depth and trailing content.
     */
    public static JsonObject readObject(String json) {
        try (JsonReader reader = READERS.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }
}
