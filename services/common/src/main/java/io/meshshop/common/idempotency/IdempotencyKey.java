package io.meshshop.common.idempotency;

import java.util.Optional;

import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * The {@code Idempotency-Key} request header. The IETF httpapi draft defines it as a Structured Field
 * string ({@code "8e03978e-..."}); bare tokens are accepted too because most clients send them unquoted.
 */
public record IdempotencyKey(String value) {

    public static final HeaderName HEADER = HeaderNames.create("Idempotency-Key");
    public static final int MAX_LENGTH = 255;

    public static Optional<IdempotencyKey> from(ServerRequest req) {
        if (!req.headers().contains(HEADER)) {
            return Optional.empty();
        }
        if (req.headers().get(HEADER).allValues().size() != 1) {
            throw invalid("send exactly one Idempotency-Key header");
        }
        return Optional.of(parse(req.headers().get(HEADER).get()));
    }

    public static IdempotencyKey required(ServerRequest req) {
        return from(req).orElseThrow(() -> ProblemException.of(ProblemType.IDEMPOTENCY_KEY_REQUIRED,
                "This operation must carry an Idempotency-Key header so that a repeated request is safe"));
    }

    public static IdempotencyKey parse(String header) {
        String raw = header.strip();
        String value = raw.startsWith("\"") ? unquote(raw) : raw;
        if (value.isEmpty()) {
            throw invalid("Idempotency-Key must not be empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw invalid("Idempotency-Key must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || (!raw.startsWith("\"") && (c == ' ' || c == '"' || c == '\\'))) {
                throw invalid("Idempotency-Key must be printable ASCII (a quoted sf-string or a bare token)");
            }
        }
        return new IdempotencyKey(value);
    }

    /** RFC 8941 sf-string: DQUOTE *chr DQUOTE with only \" and \\ as escapes. */
    private static String unquote(String raw) {
        if (raw.length() < 2 || !raw.endsWith("\"")) {
            throw invalid("Idempotency-Key is an unterminated quoted string");
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 1; i < raw.length() - 1; i++) {
            char c = raw.charAt(i);
            if (c == '\\') {
                if (i + 1 >= raw.length() - 1) {
                    throw invalid("Idempotency-Key ends inside an escape");
                }
                char next = raw.charAt(++i);
                if (next != '"' && next != '\\') {
                    throw invalid("Idempotency-Key has an invalid escape");
                }
                out.append(next);
            } else if (c == '"') {
                throw invalid("Idempotency-Key has an unescaped quote");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static ProblemException invalid(String detail) {
        return ProblemException.of(ProblemType.INVALID_IDEMPOTENCY_KEY, detail);
    }
}
