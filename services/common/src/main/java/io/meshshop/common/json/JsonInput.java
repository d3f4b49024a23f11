package io.meshshop.common.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.meshshop.common.problem.FieldError;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

import io.helidon.http.HttpException;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;

import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;

/**
 * Reads a JSON request body strictly and collects every field error before answering, so a client learns
 * all that is wrong with its request at once. Unknown fields are rejected: a misspelt {@code amountMinor}
 * must not silently become "no amount".
 */
public final class JsonInput {

    /** Same limit the server enforces, for bodies that arrive chunked without a Content-Length. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final int MAX_DEPTH = 32;
    private static final JsonParserFactory PARSERS = jakarta.json.Json.createParserFactory(Map.of(
            "org.eclipse.parsson.rejectDuplicateKeys", true,
            "org.eclipse.parsson.maxDepth", MAX_DEPTH));

    private final JsonObject object;
    private final byte[] rawBody;
    private final String prefix;
    private final List<FieldError> errors;
    private final Set<String> read = new LinkedHashSet<>();

    private JsonInput(JsonObject object, byte[] rawBody, String prefix, List<FieldError> errors) {
        this.object = object;
        this.rawBody = rawBody;
        this.prefix = prefix;
        this.errors = errors;
    }

    /** Reads the request body, which must be a JSON object sent as {@code application/json}. */
    public static JsonInput read(ServerRequest req) {
        HttpMediaType type;
        try {
            type = req.headers().contentType().orElse(null);
        } catch (RuntimeException e) {
            // Helidon throws on a Content-Type it cannot parse ("/json", "application", "x; charset="):
            // docs/helidon-workarounds.md#broken-requests-answered-500.
            throw ProblemException.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json");
        }
        if (type == null || !isJson(type)) {
            throw ProblemException.of(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Send the body as application/json" + (type == null ? "" : ", not " + type.mediaType().text()));
        }
        type.charset().ifPresent(charset -> {
            if (!charset.equalsIgnoreCase("utf-8")) {
                throw ProblemException.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "JSON must be UTF-8, not " + charset);
            }
        });
        return parse(readBody(req));
    }

    /** Parses bytes that must hold one JSON object; exposed for stored bodies and tests. */
    public static JsonInput parse(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ProblemException.of(ProblemType.MALFORMED_JSON, "Body is not valid UTF-8");
        }
        JsonValue value;
        // A parser rather than a reader: JsonReader.readValue() stops after the first value and ignores
        // whatever follows it ({"amountMinor":1}x), while hasNext() insists on the end of the body.
        try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
            parser.next();
            value = parser.getValue();
            if (parser.hasNext()) {
                throw ProblemException.of(ProblemType.MALFORMED_JSON, "Body has more after its JSON value");
            }
        } catch (ProblemException e) {
            throw e;
        } catch (JsonException | IllegalStateException | IllegalArgumentException | ArithmeticException e) {
            throw ProblemException.of(ProblemType.MALFORMED_JSON, describe(e));
        } catch (RuntimeException e) {
            // Parser bugs on hostile input (deep nesting, odd numbers) are still the client's malformed body.
            throw ProblemException.of(ProblemType.MALFORMED_JSON, "Body could not be parsed as JSON");
        }
        if (!(value instanceof JsonObject obj)) {
            throw ProblemException.of(ProblemType.MALFORMED_JSON, "Body must be a JSON object");
        }
        return new JsonInput(obj, body, "", new ArrayList<>());
    }

    /** A nested object, sharing this input's error list; field names get {@code prefix}. */
    public JsonInput nested(JsonObject nestedObject, String nestedPrefix) {
        return new JsonInput(nestedObject, rawBody, nestedPrefix, errors);
    }

    /** The body exactly as received, for the idempotency fingerprint. */
    public byte[] rawBody() {
        return rawBody.clone();
    }

    public String requiredString(String name, int minLength, int maxLength) {
        return string(name, minLength, maxLength, true).orElse(null);
    }

    public Optional<String> optionalString(String name, int minLength, int maxLength) {
        return string(name, minLength, maxLength, false);
    }

    /** An integer in [min, max]; fractions, strings and out-of-range numbers are errors, never rounded. */
    public long requiredLong(String name, long min, long max) {
        JsonValue value = field(name, true);
        if (value == null) {
            return 0;
        }
        if (!(value instanceof JsonNumber number)) {
            return fail(name, "must be an integer", 0L);
        }
        BigDecimal decimal = number.bigDecimalValue();
        if (decimal.scale() > 0) {
            return fail(name, "must be an integer, written without a fraction", 0L);
        }
        // Checked before any exact conversion so that 1e999999999 is refused without building a huge number.
        if (decimal.precision() - decimal.scale() > 19) {
            return fail(name, "must be between " + min + " and " + max, 0L);
        }
        try {
            long exact = decimal.longValueExact();
            if (exact < min || exact > max) {
                return fail(name, "must be between " + min + " and " + max, 0L);
            }
            return exact;
        } catch (ArithmeticException e) {
            return fail(name, "must be between " + min + " and " + max, 0L);
        }
    }

    public UUID requiredUuid(String name) {
        JsonValue value = field(name, true);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonString s)) {
            return fail(name, "must be a UUID string", null);
        }
        return Ids.parseUuid(s.getString()).orElseGet(() -> fail(name, "must be a UUID", null));
    }

    /** An ISO 4217 code the JDK knows, upper case as sent. */
    public String requiredCurrency(String name) {
        String code = requiredString(name, 3, 3);
        if (code == null) {
            return null;
        }
        if (!code.matches("[A-Z]{3}")) {
            return fail(name, "must be an upper-case ISO 4217 code such as EUR", null);
        }
        try {
            Currency.getInstance(code);
            return code;
        } catch (IllegalArgumentException e) {
            return fail(name, "is not a known ISO 4217 currency", null);
        }
    }

    public JsonArray requiredArray(String name, int minSize, int maxSize) {
        JsonValue value = field(name, true);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            return fail(name, "must be an array", null);
        }
        if (array.size() < minSize || array.size() > maxSize) {
            return fail(name, "must have between " + minSize + " and " + maxSize + " entries", null);
        }
        return array;
    }

    /** Records an error found by a rule outside this class (for example a domain rule on a field). */
    public void error(String name, String message) {
        errors.add(new FieldError(prefix + name, message));
    }

    /** Throws a 400 validation problem listing every error, unknown fields included. */
    public void validate() {
        rejectUnknownFields();
        if (!errors.isEmpty()) {
            throw ProblemException.validation(errors);
        }
    }

    /** Adds unknown-field errors of this (nested) object without throwing; the outermost validate() throws. */
    public void rejectUnknownFields() {
        for (String key : object.keySet()) {
            if (!read.contains(key)) {
                errors.add(new FieldError(prefix + key, "is not a known field"));
            }
        }
        read.addAll(object.keySet());
    }

    private Optional<String> string(String name, int minLength, int maxLength, boolean required) {
        JsonValue value = field(name, required);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof JsonString s)) {
            return Optional.ofNullable(fail(name, "must be a string", null));
        }
        String trimmed = s.getString().strip();
        if (trimmed.isEmpty() && minLength > 0) {
            return Optional.ofNullable(fail(name, "must not be blank", null));
        }
        int length = trimmed.codePointCount(0, trimmed.length());
        if (length < minLength || length > maxLength) {
            return Optional.ofNullable(fail(name, "must be " + minLength + " to " + maxLength + " characters", null));
        }
        if (trimmed.chars().anyMatch(c -> Character.isISOControl(c))) {
            return Optional.ofNullable(fail(name, "must not contain control characters", null));
        }
        return Optional.of(trimmed);
    }

    private JsonValue field(String name, boolean required) {
        read.add(name);
        JsonValue value = object.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            if (required) {
                errors.add(new FieldError(prefix + name, "is required"));
            }
            return null;
        }
        return value;
    }

    private <T> T fail(String name, String message, T result) {
        errors.add(new FieldError(prefix + name, message));
        return result;
    }

    private static boolean isJson(HttpMediaType type) {
        String subtype = type.mediaType().subtype().toLowerCase(java.util.Locale.ROOT);
        return type.mediaType().type().equalsIgnoreCase("application")
                && (subtype.equals("json") || subtype.endsWith("+json"));
    }

    private static byte[] readBody(ServerRequest req) {
        if (!req.content().hasEntity()) {
            throw ProblemException.of(ProblemType.MALFORMED_JSON, "Body is empty; send a JSON object");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw ProblemException.of(ProblemType.PAYLOAD_TOO_LARGE, "Body exceeds " + MAX_BODY_BYTES + " bytes");
            }
            return body;
        } catch (IOException | UncheckedIOException e) {
            throw ProblemException.of(ProblemType.BAD_REQUEST, "Body could not be read");
        } catch (ProblemException | HttpException e) {
            throw e;
        } catch (RuntimeException e) {
            // Helidon's entity stream throws unchecked for a body that ends before its Content-Length or
            // has broken chunks: the client's request is broken, not this server
            // (docs/helidon-workarounds.md#broken-requests-answered-500).
            throw ProblemException.of(ProblemType.BAD_REQUEST, "Body could not be read: it ended early or its chunks are malformed");
        }
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        if (message == null) {
            return "Body is not valid JSON";
        }
        // Parser messages name positions and tokens, never server internals; keep them short.
        return message.length() > 200 ? message.substring(0, 200) : message;
    }
}
