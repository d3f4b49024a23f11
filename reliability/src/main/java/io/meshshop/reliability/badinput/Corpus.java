package io.meshshop.reliability.badinput;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Generates invalid requests for one endpoint: each is the endpoint's valid request with exactly one part
 * made invalid (method, request line, a header, the Content-Type, the Idempotency-Key, a path id, the
 * query, the body's JSON, its encoding, its size, and on a protected route the Authorization header), so
 * every request has one known reason to be refused. Every other request of a protected route carries the
 * route's valid token, so that the invalid part is the only reason. Deterministic: the same endpoint (and
 * tokens) always gives the same corpus.
 */
public final class Corpus {

    /**
     * One generated request.
     *
     * @param tolerance what besides a 4xx problem document is an acceptable answer, for the few requests
     *                  that HTTP lets a server refuse by closing, or that Helidon's parser tolerates
     * @param expected  the only statuses that are right (e.g. 401 for a forged token); empty: any 4xx
     */
    public record Case(String category, String description, byte[] bytes, boolean halfClose, Tolerance tolerance,
                       Set<Integer> expected) {
    }

    /** What a case may get instead of a 4xx problem document without that being a failure. */
    public enum Tolerance {
        /** Nothing: a 4xx problem document is the only right answer. */
        NONE,
        /** The bytes are not HTTP at all (TLS, HTTP/2, noise): closing the connection is a refusal too. */
        MAY_CLOSE,
        /**
         * Helidon tolerates this deviation from HTTP/1.1 (a lower-case method name, a second Host, an empty
         * header name) and serves the request as the valid one it otherwise is; counted and listed apart.
         */
        MAY_ACCEPT
    }

    private static final String[] ALL_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO",
            "BREW", "PROPFIND"};
    /** Control bytes that are invalid anywhere in a request line or a header value (HT is allowed in values). */
    private static final int[] CONTROLS;
    /** Byte sequences that are not UTF-8: a lone continuation, truncated sequences, overlongs, surrogates, FF. */
    private static final byte[][] INVALID_UTF8 = {
            {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xC3, 0x28}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE2, 0x28, (byte) 0xA1},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFE}, {(byte) 0xFF}};

    static {
        List<Integer> controls = new ArrayList<>();
        for (int c = 0; c < 0x20; c++) {
            if (c != '\t') {
                controls.add(c);
            }
        }
        controls.add(0x7F);
        CONTROLS = controls.stream().mapToInt(Integer::intValue).toArray();
    }

    private final Endpoint endpoint;
    private final List<Case> cases = new ArrayList<>();
    private int serial;

    private Corpus(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** At least {@code minimum} invalid requests for {@code endpoint}. */
    public static List<Case> generate(Endpoint endpoint, int minimum) {
        Corpus corpus = new Corpus(endpoint);
        corpus.wrongMethods();
        corpus.requestLines();
        corpus.headers();
        corpus.oversized();
        if (endpoint.hasBody()) {
            corpus.contentTypes();
            corpus.bodies();
            corpus.framing();
        }
        if (endpoint.key() != Endpoint.KeyUse.NONE) {
            corpus.keys();
        }
        for (String id : endpoint.ids()) {
            corpus.pathIds(id);
        }
        if (endpoint.queryKind() != Endpoint.QueryKind.NONE) {
            corpus.queries();
        }
        if (endpoint.auth() != null) {
            corpus.authorization();
        }
        // Sweeps that are invalid at every position, until the endpoint has its share.
        corpus.sweeps(minimum);
        return corpus.cases;
    }

    /** The endpoint's valid request, unchanged: what every case varies (a check that it is served as valid). */
    public static byte[] valid(Endpoint endpoint) {
        return new Corpus(endpoint).new Request().bytes();
    }

    // ---- one request -------------------------------------------------------------------------------------

    /** The endpoint's valid request, to be made invalid in one place. */
    private final class Request {
        String method = endpoint.method();
        byte[] target = ascii(endpoint.target());
        String version = "HTTP/1.1";
        final List<byte[]> headers = new ArrayList<>();
        byte[] body;
        boolean contentLength = true;
        boolean halfClose;
        String contentType = endpoint.hasBody() ? "application/json" : null;
        byte[] key = endpoint.key() == Endpoint.KeyUse.NONE ? null
                : ascii("rel-bad-" + Integer.toHexString(endpoint.name().hashCode()) + "-" + serial);
        /** The Authorization header's value; null: no such header. */
        byte[] authorization = endpoint.auth() == null ? null : ascii("Bearer " + endpoint.auth().bearer());

        Request() {
            body = endpoint.hasBody() ? utf8(endpoint.validBody()) : null;
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ascii(method + " "));
            out.writeBytes(target);
            out.writeBytes(ascii((version.isEmpty() ? "" : " " + version) + "\r\n"));
            out.writeBytes(ascii("Host: 127.0.0.1:" + endpoint.port() + "\r\n"));
            if (contentType != null) {
                out.writeBytes(ascii("Content-Type: " + contentType + "\r\n"));
            }
            if (key != null) {
                out.writeBytes(ascii("Idempotency-Key: "));
                out.writeBytes(key);
                out.writeBytes(ascii("\r\n"));
            }
            if (authorization != null) {
                out.writeBytes(ascii("Authorization: "));
                out.writeBytes(authorization);
                out.writeBytes(ascii("\r\n"));
            }
            for (byte[] header : headers) {
                out.writeBytes(header);
                out.writeBytes(ascii("\r\n"));
            }
            if (body != null && contentLength) {
                out.writeBytes(ascii("Content-Length: " + body.length + "\r\n"));
            }
            out.writeBytes(ascii("Connection: close\r\n\r\n"));
            if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }
    }

    private void add(String category, String description, Request request) {
        add(category, description, request, Tolerance.NONE);
    }

    private void add(String category, String description, Request request, Tolerance tolerance) {
        if (tolerance == Tolerance.MAY_ACCEPT && !reading()) {
            // Served as the valid request it otherwise is, a write would have a real effect: not generated.
            return;
        }
        cases.add(new Case(category, description, request.bytes(), request.halfClose, tolerance, Set.of()));
        serial++;
    }

    private void addExpecting(String category, String description, Request request, Set<Integer> expected) {
        cases.add(new Case(category, description, request.bytes(), request.halfClose, Tolerance.NONE, expected));
        serial++;
    }

    private void addRaw(String category, String description, byte[] bytes, boolean halfClose, Tolerance tolerance) {
        if (tolerance == Tolerance.MAY_ACCEPT && !reading()) {
            return;
        }
        cases.add(new Case(category, description, bytes, halfClose, tolerance, Set.of()));
        serial++;
    }

    // ---- generators --------------------------------------------------------------------------------------

    /** Every method the path does not answer, with and without a body, a key, a content type. */
    private void wrongMethods() {
        for (String method : ALL_METHODS) {
            if (endpoint.allowed().contains(method)) {
                continue;
            }
            Request bare = new Request();
            bare.method = method;
            bare.body = null;
            bare.contentType = null;
            add("wrong method", method + " without body", bare);

            Request json = new Request();
            json.method = method;
            json.body = utf8(endpoint.hasBody() ? endpoint.validBody() : "{\"a\":1}");
            json.contentType = "application/json";
            add("wrong method", method + " with a JSON body", json);

            Request form = new Request();
            form.method = method;
            form.body = ascii("a=1&b=2");
            form.contentType = "application/x-www-form-urlencoded";
            add("wrong method", method + " with a form body", form);

            Request keyed = new Request();
            keyed.method = method;
            keyed.key = ascii("rel-bad-method-" + serial);
            add("wrong method", method + " with an Idempotency-Key", keyed);

            Request garbage = new Request();
            garbage.method = method;
            garbage.body = new byte[] {0, 1, 2, (byte) 0xFF, '{'};
            garbage.contentType = "application/octet-stream";
            add("wrong method", method + " with binary body", garbage);
        }
    }

    /** Request lines that are not HTTP/1.1 request lines. */
    private void requestLines() {
        String[] versions = {"HTTP/2.0", "HTTP/1.2", "HTTP/3", "HTTP/1", "HTTP/11", "http/1.1", "HTTP/1.1x", "HTTPS/1.1",
                "HTTP/1.1.1", "HTTP/-1.1", "HTTP/ 1.1", "XTTP/1.1", "HTTP/9.9", "HTTP/1.10"};
        for (String version : versions) {
            Request request = new Request();
            request.version = version;
            add("request line", "version " + version, request);
        }
        Request noVersion = new Request();
        noVersion.version = "";
        add("request line", "no version", noVersion);

        Request extra = new Request();
        extra.version = "HTTP/1.1 extra";
        add("request line", "a fourth token", extra);

        Request doubleSpace = new Request();
        doubleSpace.method = endpoint.method() + " ";
        add("request line", "two spaces after the method", doubleSpace);

        String[] targets = {"", "*", "api/users", "?", "%", "%G1", "%zz", "/%", "/api/%E0%A4%A", "/%00",
                endpoint.path() + "/%", endpoint.path() + "%2", endpoint.path() + "%GG"};
        for (String target : targets) {
            Request request = new Request();
            request.target = ascii(target);
            add("request target", "target '" + target + "'", request);
        }
        for (int size : new int[] {9_000, 17_000, 33_000, 65_000, 300_000}) {
            Request request = new Request();
            request.target = ascii(endpoint.path() + "/" + "a".repeat(size));
            add("request target", "target of " + size + " bytes", request);
        }
        // Not HTTP at all: a TLS ClientHello, an HTTP/2 preface, binary noise, blank lines.
        addRaw("not HTTP", "TLS ClientHello", new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xA5, 0x01, 0x00, 0x00,
                (byte) 0xA1, 0x03, 0x03, 0x00, 0x00}, true, Tolerance.MAY_CLOSE);
        addRaw("not HTTP", "HTTP/2 preface", ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), true, Tolerance.MAY_CLOSE);
        addRaw("not HTTP", "blank lines only", ascii("\r\n\r\n\r\n"), true, Tolerance.MAY_CLOSE);
        addRaw("not HTTP", "a lone LF line", ascii("\n\n"), true, Tolerance.MAY_CLOSE);
        addRaw("truncated", "request line only, then the client closes", ascii(endpoint.method() + " " + endpoint.target()
                + " HTTP/1.1\r\n"), true, Tolerance.NONE);
        addRaw("truncated", "headers cut off, then the client closes", ascii(endpoint.method() + " " + endpoint.target()
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\r\n"), true, Tolerance.NONE);
        addRaw("header", "bare LF line endings with a NUL", ascii(endpoint.method() + " " + endpoint.target()
                + " HTTP/1.1\nHost: x\nX-A: \u0000\n\n"), true, Tolerance.NONE);
    }

    /** Header lines that break the grammar, duplicate what must be unique, or lie about the body. */
    private void headers() {
        String[] lines = {"NoColonHere", " X-Leading-Space: 1", "X-Space-Before-Colon : 1", ": no-name", "X Test: 1",
                "X(Test): 1", "X-Test\u0000: 1", "X-Test: a\rb", "X-\u00E9: 1", "Host: second.example",
                "Content-Length: -1", "Content-Length: abc", "Content-Length: 1.5", "Content-Length: 0x10",
                "Content-Length: 5 5", "Content-Length: 99999999999999999999999", "Transfer-Encoding: gzip",
                "Transfer-Encoding: chunked, gzip", "Transfer-Encoding: xchunked", "Expect: 200-ok"};
        for (String line : lines) {
            Request request = new Request();
            request.headers.add(latin1(line));
            Tolerance tolerance = Tolerance.NONE;
            if (line.startsWith(": ") || line.startsWith("Host: ") || line.startsWith("Expect: ")) {
                // Helidon tolerates an empty header name and a second Host; an unknown expectation MAY be ignored.
                tolerance = Tolerance.MAY_ACCEPT;
            } else if (line.startsWith("Content-Length: ") || line.startsWith("Transfer-Encoding: ")) {
                tolerance = bodyFraming();
            }
            add("header", "header '" + printable(line) + "'", request, tolerance);
        }
        // HTTP method names are case-sensitive (RFC 9110 9.1); Helidon serves "get" as GET (reads only).
        for (String method : reading() ? new String[] {endpoint.method().toLowerCase(java.util.Locale.ROOT),
                endpoint.method().charAt(0) + endpoint.method().substring(1).toLowerCase(java.util.Locale.ROOT)}
                : new String[0]) {
            Request request = new Request();
            request.method = method;
            add("wrong method", "method spelt " + method, request, Tolerance.MAY_ACCEPT);
        }
        if (reading()) {
            Request noHost = new Request();
            addRaw("header", "no Host header", dropHost(noHost.bytes()), false, Tolerance.MAY_ACCEPT);
        }

        Request folded = new Request();
        folded.contentType = null;
        folded.headers.add(ascii("Content-Type: application/\r\n json"));
        if (endpoint.hasBody()) {
            add("header", "Content-Type folded over two lines", folded);
        }
        Request twoLengths = new Request();
        twoLengths.body = twoLengths.body == null ? ascii("{}") : twoLengths.body;
        twoLengths.headers.add(ascii("Content-Length: " + (twoLengths.body.length + 3)));
        add("header", "two different Content-Length", twoLengths, bodyFraming());
    }

    /** Too many and too large headers, and bodies over the 1 MiB limit on any route. */
    private void oversized() {
        for (int size : new int[] {20_000, 40_000, 70_000, 140_000, 1_100_000}) {
            Request request = new Request();
            request.headers.add(ascii("X-Big: " + "v".repeat(size)));
            add("oversized header", "one header of " + size + " bytes", request);
        }
        for (int count : new int[] {2_000, 5_000, 20_000}) {
            Request request = new Request();
            for (int i = 0; i < count; i++) {
                request.headers.add(ascii("X-Many-" + i + ": v"));
            }
            add("oversized header", count + " headers", request);
        }
        Request agent = new Request();
        agent.headers.add(ascii("User-Agent: " + "m".repeat(100_000)));
        add("oversized header", "User-Agent of 100 KB", agent);
        Request cookie = new Request();
        cookie.headers.add(ascii("Cookie: " + "c=1; ".repeat(10_000)));
        add("oversized header", "Cookie of 50 KB", cookie);

        Request twoMb = new Request();
        twoMb.body = utf8("{\"name\":\"" + "b".repeat(2 * 1024 * 1024) + "\"}");
        twoMb.contentType = "application/json";
        add("oversized body", "2 MiB body", twoMb);

        Request announced = new Request();
        announced.body = ascii("{}");
        announced.contentLength = false;
        announced.headers.add(ascii("Content-Length: 1000000000000"));
        announced.halfClose = true;
        add("oversized body", "Content-Length of 10^12 with 2 bytes", announced);

        Request chunked = new Request();
        chunked.contentLength = false;
        chunked.contentType = "application/json";
        chunked.headers.add(ascii("Transfer-Encoding: chunked"));
        chunked.body = chunk("{\"name\":\"" + "c".repeat(2 * 1024 * 1024) + "\"}", 64 * 1024);
        add("oversized body", "2 MiB chunked body without Content-Length", chunked, bodyFraming());
    }

    /** A valid body under a Content-Type that is not JSON (or not UTF-8 JSON). */
    private void contentTypes() {
        String[] types = {null, "text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/json; charset=iso-8859-1", "application/json; charset=utf-16",
                "application/json; charset=", "application/jsonx", "application/", "/json", "json", "application/json;;;",
                "application", "*/*", "application/*", "text/json", "application/octet-stream", "image/png",
                "application/json; charset=\"", "application/json; charset=utf-8; charset=latin1", "\u00e9/\u00e9",
                "text/html; charset=utf-8", "application/json-seq"};
        for (String type : types) {
            Request request = new Request();
            request.contentType = type;
            // Helidon drops an empty parameter ("charset=", ";;;"): what is left is application/json.
            boolean lenient = type != null && (type.endsWith("charset=") || type.endsWith(";;;"));
            add("content type", "Content-Type " + (type == null ? "missing" : "'" + printable(type) + "'"), request,
                    lenient ? Tolerance.MAY_ACCEPT : Tolerance.NONE);
            Request form = new Request();
            form.contentType = type;
            form.body = ascii("name=a&email=b%40example.com");
            add("content type", "form body as " + (type == null ? "no type" : "'" + printable(type) + "'"), form);
        }
    }

    /** Body lengths and chunking that do not add up. */
    private void framing() {
        Request shorter = new Request();
        shorter.contentLength = false;
        shorter.headers.add(ascii("Content-Length: " + (shorter.body.length / 2)));
        add("framing", "Content-Length half the body", shorter);

        Request longer = new Request();
        longer.contentLength = false;
        longer.headers.add(ascii("Content-Length: " + (longer.body.length + 50)));
        longer.halfClose = true;
        add("framing", "Content-Length 50 bytes more than sent", longer);

        Request both = new Request();
        both.headers.add(ascii("Transfer-Encoding: chunked"));
        add("framing", "Content-Length and Transfer-Encoding", both);

        String[][] chunkings = {{"zz\r\n{}\r\n0\r\n\r\n", "chunk size zz"}, {"-1\r\n{}\r\n0\r\n\r\n", "chunk size -1"},
                {"fffffffffffffffff\r\n{}\r\n", "chunk size beyond 64 bits"}, {"2\r\n{}0\r\n\r\n", "no CRLF after chunk"},
                {"2\r\n{}\r\n", "no last chunk"}, {"2;" + "x".repeat(20_000) + "\r\n{}\r\n0\r\n\r\n", "20 KB chunk extension"}};
        for (String[] chunking : chunkings) {
            Request request = new Request();
            request.contentLength = false;
            request.headers.add(ascii("Transfer-Encoding: chunked"));
            request.body = ascii(chunking[0]);
            request.halfClose = true;
            add("framing", chunking[1], request);
        }
    }

    /** The body's JSON: malformed, too deep, wrong types, huge values, not UTF-8, nulls, duplicates. */
    private void bodies() {
        String valid = endpoint.validBody();
        // Every strict prefix of a JSON object is malformed.
        for (int length = 0; length < valid.length(); length++) {
            Request request = new Request();
            request.body = utf8(valid.substring(0, length));
            add("malformed JSON", "truncated at " + length, request);
        }
        String[] malformed = {valid + "x", valid + "}", valid + ",", valid + valid, valid + " []", "\uFEFF" + valid,
                valid.replace("\"", "'"), valid.replace("{", "{/*c*/"), valid.replace("{", "{,"), valid.replace("}", ",}"),
                valid.replace(":", "="), valid.replace(":", "::"), "{" + valid, valid.replace("\"", ""),
                "[" + valid + "]", "\"" + valid.replace("\"", "\\\"") + "\"", "null", "true", "1", "[]", "\"s\"", "{}x",
                " ", "\t\r\n", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":undefined}", "{\"a\":.5}", "{\"a\":01}",
                "{\"a\":1.}", "{\"a\":-}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"tab\tinside\"}",
                "{\"a\":\"line\ninside\"}", "{a:1}", "{\"a\" 1}", "{\"a\":1,,\"b\":2}"};
        for (String body : malformed) {
            Request request = new Request();
            request.body = utf8(body);
            add("malformed JSON", printable(body.length() > 40 ? body.substring(0, 40) + "..." : body), request);
        }
        // Deeper than the parser's limit of 32, up to what fits in 1 MiB.
        for (int depth : new int[] {33, 40, 64, 100, 256, 1_000, 10_000, 100_000, 500_000}) {
            Request arrays = new Request();
            arrays.body = ascii("[".repeat(depth) + "]".repeat(depth));
            add("deep nesting", "arrays " + depth + " deep", arrays);
            Request objects = new Request();
            objects.body = ascii("{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
            add("deep nesting", "objects " + depth + " deep", objects);
            Request inField = new Request();
            inField.body = utf8(endpoint.body(Map.of(endpoint.fields().getFirst().name(),
                    "[".repeat(depth) + "]".repeat(depth))));
            add("deep nesting", "field " + endpoint.fields().getFirst().name() + " " + depth + " deep", inField);
            Request unclosed = new Request();
            unclosed.body = ascii("[".repeat(depth));
            add("deep nesting", "unclosed arrays " + depth + " deep", unclosed);
        }
        for (Endpoint.Field field : endpoint.fields()) {
            for (String value : wrongValues(field)) {
                if (value.equals(field.json())) {
                    continue;
                }
                Map<String, String> replaced = new LinkedHashMap<>();
                replaced.put(field.name(), value);
                Request request = new Request();
                request.body = utf8(endpoint.body(replaced));
                add("wrong value", field.name() + " = " + printable(value.length() > 40 ? value.substring(0, 40) + "..." : value),
                        request);
            }
            if (field.required()) {
                Map<String, String> missing = new LinkedHashMap<>();
                missing.put(field.name(), null);
                Request request = new Request();
                request.body = utf8(endpoint.body(missing));
                add("missing field", field.name() + " missing", request);
            }
            Request duplicate = new Request();
            duplicate.body = utf8(valid.substring(0, valid.length() - 1) + ",\"" + field.name() + "\":" + field.json() + "}");
            add("duplicate key", field.name() + " twice, same value", duplicate);
            Request conflicting = new Request();
            conflicting.body = utf8("{\"" + field.name() + "\":null," + valid.substring(1));
            add("duplicate key", field.name() + " twice, first null", conflicting);
            // Invalid UTF-8 inside the field's value and inside its name.
            for (byte[] bad : INVALID_UTF8) {
                Request inValue = new Request();
                inValue.body = insert(utf8(valid), valid.indexOf("\"" + field.name() + "\"") + field.name().length() + 4, bad);
                add("invalid UTF-8", "in the value of " + field.name() + ": " + hex(bad), inValue);
                Request inName = new Request();
                inName.body = insert(utf8(valid), valid.indexOf("\"" + field.name() + "\"") + 2, bad);
                add("invalid UTF-8", "in the name " + field.name() + ": " + hex(bad), inName);
            }
        }
        // A userId names nobody: the caller is the token's subject, and the field is as unknown as any other.
        String[] unknown = {"\"admin\":true", "\"id\":\"" + java.util.UUID.randomUUID() + "\"",
                "\"userId\":\"" + java.util.UUID.randomUUID() + "\"", "\"scope\":\"customer admin\"", "\"__proto__\":{}",
                "\"\":1", "\"createdAt\":\"2020-01-01T00:00:00Z\"", "\"status\":\"PAID\""};
        for (String extra : unknown) {
            Request request = new Request();
            request.body = utf8(valid.substring(0, valid.length() - 1) + "," + extra + "}");
            add("unknown field", extra, request);
        }
        Request allNull = new Request();
        Map<String, String> nulls = new LinkedHashMap<>();
        for (Endpoint.Field field : endpoint.fields()) {
            nulls.put(field.name(), "null");
        }
        allNull.body = utf8(endpoint.body(nulls));
        add("nulls", "every field null", allNull);
        Request empty = new Request();
        empty.body = ascii("{}");
        add("missing field", "empty object", empty);
        Request noBody = new Request();
        noBody.body = new byte[0];
        add("missing field", "no body at all", noBody);
    }

    /** Values that the field's rules refuse, by type. */
    private List<String> wrongValues(Endpoint.Field field) {
        List<String> values = new ArrayList<>(List.of("1", "-1", "1.5", "true", "false", "[]", "{}", "[1,2]",
                "{\"a\":\"b\"}"));
        if (field.required() || field.type() != Endpoint.Type.EMAIL) {
            values.add("null");
        }
        if (field.type() == Endpoint.Type.AMOUNT) {
            // 1 minor unit is a valid amount.
            values.remove("1");
        }
        switch (field.type()) {
            case STRING -> values.addAll(List.of("\"\"", "\"   \"", "\"\\t\"", quoted("a".repeat(201)),
                    quoted("a".repeat(10_000)), quoted("a".repeat(900_000)), "\"a\\u0000b\"", "\"\\u0007bell\"",
                    "\"line\\nbreak\"", "\"\\u001b[31mred\""));
            // Below 15 characters (also once NFKC has composed e + combining acute into one), above 256 code
            // points (an emoji is one code point and two UTF-16 units), empty: never a password.
            case PASSWORD -> values.addAll(List.of("\"\"", "\"x\"", quoted("p".repeat(14)), quoted("e\u0301".repeat(14)),
                    quoted("\u00e9".repeat(14)), quoted("p".repeat(257)), quoted("\uD83D\uDE00".repeat(257)),
                    quoted("p".repeat(10_000)), quoted("p".repeat(900_000)), "\"\\u0000\""));
            case EMAIL -> values.addAll(List.of("\"\"", "\"no-at-sign\"", "\"a@\"", "\"@example.com\"",
                    "\"a b@example.com\"", "\"a@b@example.com\"", "\"a@localhost\"",
                    quoted("a".repeat(250) + "@example.com"), quoted("a".repeat(5000) + "@example.com"),
                    "\"a@\\u0000.com\"", "\"a@exa mple.com\"", "\"a@-example.com\""));
            case UUID -> values.addAll(List.of("\"\"", "\"not-a-uuid\"", "\"1-2-3-4-5\"",
                    "\"{6f1b4c9e-2d7a-4a53-9b1e-1c2d3e4f5a6b}\"", "\"6f1b4c9e2d7a4a539b1e1c2d3e4f5a6b\"",
                    "\"6f1b4c9e-2d7a-4a53-9b1e-1c2d3e4f5a6bb\"", "\"urn:uuid:6f1b4c9e-2d7a-4a53-9b1e-1c2d3e4f5a6b\"",
                    "\"ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ\"", "\" 6f1b4c9e-2d7a-4a53-9b1e-1c2d3e4f5a6\"",
                    quoted("6".repeat(10_000))));
            case AMOUNT -> values.addAll(List.of("\"100\"", "\"1\"", "\"\"", "0", "-100", "100.0", "0.0", "-0", "1e-5",
                    "1e999999999", "1E400", "-1e400", "12345678901234567890123", "9223372036854775808",
                    "-9223372036854775809", "1000000000001", "1e13", "123456789012345678901234567890.5",
                    "1" + "0".repeat(5000)));
            case CURRENCY -> values.addAll(List.of("\"eur\"", "\"EURO\"", "\"EU\"", "\"ABC\"", "\"\u20ac\"", "\"E U\"", "\"\"",
                    "978", "\"\\u0000UR\"", "\"QQQ\"", quoted("E".repeat(10_000))));
            case QUANTITY_ITEMS -> values.addAll(List.of("\"MESH-MUG\"", "[]", "[1]", "[null]", "[[]]", "[{}]",
                    "[{\"sku\":\"MESH-MUG\"}]", "[{\"quantity\":1}]", "[{\"sku\":\"mesh-mug\",\"quantity\":1}]",
                    "[{\"sku\":\"NO-SUCH-SKU\",\"quantity\":1}]", "[{\"sku\":\"MESH-MUG\",\"quantity\":0}]",
                    "[{\"sku\":\"MESH-MUG\",\"quantity\":101}]", "[{\"sku\":\"MESH-MUG\",\"quantity\":-1}]",
                    "[{\"sku\":\"MESH-MUG\",\"quantity\":1.5}]", "[{\"sku\":\"MESH-MUG\",\"quantity\":\"1\"}]",
                    "[{\"sku\":\"MESH-MUG\",\"quantity\":1e999}]", "[{\"sku\":\"MESH-MUG\",\"quantity\":1,\"price\":1}]",
                    "[{\"sku\":\"MESH-MUG\",\"sku\":\"PILOT-CAP\",\"quantity\":1}]",
                    "[{\"sku\":\"" + "A".repeat(41) + "\",\"quantity\":1}]", "[{\"sku\":\"\",\"quantity\":1}]",
                    "[{\"sku\":\"M\u00dcG\",\"quantity\":1}]", "[{\"sku\":null,\"quantity\":null}]",
                    "[" + "{\"sku\":\"MESH-MUG\",\"quantity\":1},".repeat(50) + "{\"sku\":\"MESH-MUG\",\"quantity\":1}]",
                    "[" + "{\"sku\":\"MESH-MUG\",\"quantity\":1},".repeat(10_000) + "{}]"));
        }
        return values;
    }

    /** Idempotency-Keys that are not 1 to 255 printable ASCII characters in token or sf-string form. */
    private void keys() {
        String[] keys = {"", "   ", "\"\"", "\"abc", "\"a\"b\"", "\"a\\x\"", "\"a\\\"", "a b", "a\"b", "a\\b",
                "\"a\", \"b\"", "k".repeat(256), "k".repeat(1000), "k".repeat(8000), "\"" + "k".repeat(256) + "\"",
                "caf\u00e9", "\u00ff\u00fe", "a\u0001b", "a\u007fb", "a\tb", "\"\u0080\""};
        for (String key : keys) {
            Request request = new Request();
            request.key = latin1(key);
            add("Idempotency-Key", "key '" + printable(key.length() > 30 ? key.substring(0, 30) + "..." : key) + "'", request);
        }
        Request utf8Key = new Request();
        utf8Key.key = utf8("cl\u00e9-\u2603");
        add("Idempotency-Key", "key in UTF-8 with a snowman", utf8Key);
        Request two = new Request();
        two.headers.add(ascii("Idempotency-Key: second-" + serial));
        add("Idempotency-Key", "two Idempotency-Key headers", two);
        if (endpoint.key() == Endpoint.KeyUse.REQUIRED) {
            Request missing = new Request();
            missing.key = null;
            add("Idempotency-Key", "no Idempotency-Key where it is required", missing);
        }
        // Every control byte at a few places of an otherwise valid key.
        for (int control : CONTROLS) {
            if (control == '\r' || control == '\n') {
                continue;
            }
            for (int at : new int[] {1, 4}) {
                Request request = new Request();
                request.key = insert(ascii("key-" + serial), at, new byte[] {(byte) control});
                add("Idempotency-Key", "control byte " + String.format("0x%02x", control) + " at " + at, request);
            }
        }
    }

    /** Path ids that are not canonical UUIDs. */
    private void pathIds(String id) {
        String[] wrong = {"abc", "1", "-1", "0", "null", "undefined", id.replace("-", ""), "{" + id + "}", id + "0",
                id.substring(1), "1-2-3-4-5", "urn:uuid:" + id, "%7B" + id + "%7D", id + "%00", "%ZZ", "%", "..",
                "%2e%2e", id + "%2F..", "\u00fc".repeat(3), "a".repeat(10_000),
                id.replace('-', '_'), " " + id, id + "%20", "ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ",
                "00000000-0000-0000-0000-00000000000g", "' OR '1'='1", "1;DROP TABLE orders"};
        for (String value : wrong) {
            Request request = new Request();
            String target = endpoint.target().replace(id, encode(value));
            request.target = latin1(target);
            add("path id", "id '" + printable(value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'", request);
        }
        // Helidon takes ";name=value" as a matrix parameter: the id is still the id.
        Request matrix = new Request();
        matrix.target = latin1(endpoint.target().replace(id, id + ";jsessionid=1"));
        add("path id", "matrix parameter after the id", matrix, Tolerance.MAY_ACCEPT);
    }

    /** Query values the list endpoints refuse. */
    private void queries() {
        List<String> queries = new ArrayList<>();
        if (endpoint.queryKind() == Endpoint.QueryKind.USER_LIST) {
            for (String limit : new String[] {"0", "-1", "101", "1000", "abc", "", "1.5", "1e2", "99999999999999999999",
                    "%00", "0x10", " 5", "+5"}) {
                queries.add("limit=" + limit);
            }
            for (String email : new String[] {"", "nope", "a%40", "%40example.com", "a%20b%40example.com",
                    "a".repeat(300) + "%40example.com", "%ZZ", "a%40b%40c.d"}) {
                queries.add("email=" + email);
            }
            String id = "6f1b4c9e-2d7a-4a53-9b1e-1c2d3e4f5a6b";
            for (String cursor : new String[] {"", "x", "!!!", "AAAA", b64("1"), b64("abc:" + id), b64("1:nope"), b64(":"),
                    b64("9223372036854775807:" + id), b64("-9223372036854775808:" + id), b64("-300000000000000000:" + id),
                    b64("-62135596800000001:" + id), b64("300000000000000000:" + id), b64("1:" + id + ":x"),
                    "%" + b64("1:" + id)}) {
                queries.add("after=" + cursor);
            }
            queries.add("limit=5&limit=abc");
        } else if (endpoint.queryKind() == Endpoint.QueryKind.CALLER_ONLY) {
            // The caller is the token's subject: no parameter may name anyone else. A route may refuse an
            // unknown parameter (400) or ignore it; either way it answers about the caller only.
            for (String query : new String[] {"userId=" + java.util.UUID.randomUUID(), "userId=", "user=me", "limit=5",
                    "all=true", "userId=%ZZ"}) {
                Request request = new Request();
                request.target = ascii(endpoint.path() + "?" + query);
                add("query", "?" + query, request, Tolerance.MAY_ACCEPT);
            }
            return;
        } else {
            String name = endpoint.query().substring(0, endpoint.query().indexOf('='));
            queries.add("");
            queries.add(name + "=");
            queries.add(name + "=abc");
            queries.add(name + "=1-2-3-4-5");
            queries.add(name + "=%ZZ");
            queries.add(name.toLowerCase() + "x=" + endpoint.query().substring(endpoint.query().indexOf('=') + 1));
            queries.add(name + "=" + "a".repeat(5000));
            queries.add(name + "=%7B6f1b4c9e-2d7a-4a53-9b1e-1c2d3e4f5a6b%7D");
        }
        for (String query : queries) {
            Request request = new Request();
            request.target = ascii(endpoint.path() + (query.isEmpty() ? "" : "?" + query));
            // A cursor that decodes is a position, however far away; a repeated limit takes the first value.
            boolean servable = query.startsWith("after=") && decodes(query.substring(6)) || query.startsWith("limit=5&");
            add("query", "?" + (query.length() > 40 ? query.substring(0, 40) + "..." : query), request,
                    servable ? Tolerance.MAY_ACCEPT : Tolerance.NONE);
        }
    }

    /**
     * The Authorization header of a protected route, everything else valid: none, empty, the wrong scheme,
     * no token, garbage, a cut or extended token, non-ASCII and control bytes, oversized, two headers, the
     * token where it does not belong (query, cookie, Proxy-Authorization); then the route's wrong tokens
     * (forged ones, another customer's). RFC 6750: 401 with a Bearer challenge; an oversized header may be
     * refused as a whole (400 or 431) before anyone reads it.
     */
    private void authorization() {
        String valid = endpoint.auth().bearer();
        String[] parts = valid.split("\\.");
        Set<Integer> unauthorized = Set.of(401);
        Set<Integer> unauthorizedOrBadHeader = Set.of(400, 401);
        Set<Integer> oversized = Set.of(400, 401, 431);

        auth("no Authorization header", unauthorized, r -> r.authorization = null);
        // Described without the token itself: the reports list failing cases, and tokens are not for reports.
        Map<String, String> values = new LinkedHashMap<>();
        for (String value : new String[] {"", " ", "Bearer", "Bearer ", "Bearer    ", "bearer", "Basic dXNlcjpwYXNzd29yZA==",
                "Digest username=\"a\", realm=\"meshshop\"", "Negotiate YIIB", "Bearer abc", "Bearer a.b.c", "Bearer ..",
                "Bearer ...", "Bearer e30.e30.", "Bearer e30.e30.e30", "Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer a.b.c.d.e",
                "Bearer null", "Bearer undefined", "Bearer 0", "Bearer true", "Bearer {}", "Bearer []", "Bearer %65%79%4A"}) {
            values.put("'" + value + "'", value);
        }
        values.put("Basic <token>", "Basic " + valid);
        values.put("Token <token>", "Token " + valid);
        values.put("JWT <token>", "JWT " + valid);
        values.put("OAuth <token>", "OAuth " + valid);
        values.put("<token> without a scheme", valid);
        values.put("Bearer<token> without a space", "Bearer" + valid);
        values.put("Bearer:<token>", "Bearer:" + valid);
        values.put("Bearer=<token>", "Bearer=" + valid);
        values.put("Bearer <token> extra", "Bearer " + valid + " extra");
        values.put("Bearer <token>,Bearer <token>", "Bearer " + valid + ",Bearer " + valid);
        values.put("Bearer <token>, x", "Bearer " + valid + ", x");
        values.put("Bearer \"<token>\"", "Bearer \"" + valid + "\"");
        values.put("Bearer <token>.", "Bearer " + valid + ".");
        // Not base64url (nor RFC 6750's b64token): a lenient decoder that skips it would accept the token.
        values.put("Bearer <token>!", "Bearer " + valid + "!");
        values.put("Bearer .<token>", "Bearer ." + valid);
        values.put("Bearer <token> with a fourth part", "Bearer " + valid + "." + parts[2]);
        values.put("Bearer <header.payload> without the signature part", "Bearer " + parts[0] + "." + parts[1]);
        values.put("Bearer <token> with header and payload swapped", "Bearer " + parts[1] + "." + parts[0] + "." + parts[2]);
        values.put("Bearer <first half of the token>", "Bearer " + valid.substring(0, valid.length() / 2));
        values.put("Bearer <token without its last character>", "Bearer " + valid.substring(0, valid.length() - 1));
        values.put("Bearer <token without its first character>", "Bearer " + valid.substring(1));
        values.put("Bearer <token with commas for dots>", "Bearer " + valid.replace('.', ','));
        values.put("Bearer <token in upper case>", "Bearer " + valid.toUpperCase(java.util.Locale.ROOT));
        values.put("Bearer <token, base64-encoded again>", "Bearer " + b64(valid));
        values.put("Bearer <4097 characters>", "Bearer " + "A".repeat(4097));
        values.put("Bearer <token padded to 4097 characters>", "Bearer " + valid + "A".repeat(Math.max(1, 4097 - valid.length())));
        for (Map.Entry<String, String> value : values.entrySet()) {
            auth("Authorization " + printable(value.getKey()), unauthorized, r -> r.authorization = latin1(value.getValue()));
        }
        // Bytes a header value may not carry, or that are not ASCII: the parser may refuse the header (400).
        Map<String, String> latin1 = new LinkedHashMap<>();
        latin1.put("Bearer t\u00f6k\u00e9n", "Bearer t\u00f6k\u00e9n");
        latin1.put("Bearer <token>\u00ff", "Bearer " + valid + "\u00ff");
        latin1.put("\u00c4rger <token>", "\u00c4rger " + valid);
        for (Map.Entry<String, String> value : latin1.entrySet()) {
            auth("Authorization '" + printable(value.getKey()) + "' in Latin-1", unauthorizedOrBadHeader,
                    r -> r.authorization = latin1(value.getValue()));
        }
        Request utf8 = new Request();
        utf8.authorization = utf8("Bearer \u2603." + valid);
        addExpecting("authorization", "Authorization with a snowman in UTF-8", utf8, unauthorizedOrBadHeader);
        for (int control : CONTROLS) {
            if (control == '\r' || control == '\n') {
                continue;
            }
            auth(String.format("Authorization with control byte 0x%02x inside the token", control), unauthorizedOrBadHeader,
                    r -> r.authorization = insert(ascii("Bearer " + valid), 7 + parts[0].length() / 2, new byte[] {(byte) control}));
        }
        for (int size : new int[] {8_200, 20_000, 70_000}) {
            auth("Authorization of " + size + " bytes", oversized, r -> r.authorization = ascii("Bearer " + "x".repeat(size)));
            auth("the valid token followed by " + size + " bytes", oversized,
                    r -> r.authorization = ascii("Bearer " + valid + "x".repeat(size)));
        }
        String[][] twice = {{valid, valid}, {valid, "garbage"}, {"garbage", valid}, {valid, ""}};
        for (String[] pair : twice) {
            auth("two Authorization headers: " + (pair[0].equals(valid) ? "token" : "'" + pair[0] + "'") + " then "
                 + (pair[1].equals(valid) ? "token" : "'" + pair[1] + "'"), unauthorized, r -> {
                        r.authorization = ascii("Bearer " + pair[0]);
                        r.headers.add(ascii("Authorization: Bearer " + pair[1]));
                    });
        }
        auth("the token only in the query (access_token)", unauthorizedOrBadHeader, r -> {
            r.authorization = null;
            String target = endpoint.target();
            r.target = ascii(target + (target.contains("?") ? "&" : "?") + "access_token=" + valid);
        });
        auth("the token only in a cookie", unauthorized, r -> {
            r.authorization = null;
            r.headers.add(ascii("Cookie: access_token=" + valid));
        });
        auth("the token only in Proxy-Authorization", unauthorized, r -> {
            r.authorization = null;
            r.headers.add(ascii("Proxy-Authorization: Bearer " + valid));
        });
        auth("the token only in X-Forwarded-Authorization", unauthorized, r -> {
            r.authorization = null;
            r.headers.add(ascii("X-Forwarded-Authorization: Bearer " + valid));
        });
        for (Endpoint.WrongToken wrong : endpoint.auth().wrongTokens()) {
            Request request = new Request();
            request.authorization = ascii("Bearer " + wrong.token());
            addExpecting("token", wrong.description(), request, wrong.expected());
        }
    }

    private void auth(String description, Set<Integer> expected, Consumer<Request> change) {
        Request request = new Request();
        change.accept(request);
        addExpecting("authorization", description, request, expected);
    }

    /**
     * Position sweeps, each invalid wherever it is applied: a control byte inside the request target and
     * inside a header value, invalid UTF-8 inside the body, a non-hex character inside a path id; then
     * seeded binary noise as the request line. Stops once the endpoint has {@code minimum} requests.
     */
    private void sweeps(int minimum) {
        String target = endpoint.target();
        outer:
        for (int at = 1; at <= target.length(); at++) {
            for (int control : CONTROLS) {
                if (cases.size() >= minimum) {
                    break outer;
                }
                Request request = new Request();
                request.target = insert(ascii(target), at, new byte[] {(byte) control});
                // Helidon does not check the query's bytes: a mangled parameter name is an unknown parameter.
                boolean inQuery = target.indexOf('?') >= 0 && at > target.indexOf('?');
                add("request target", String.format("control byte 0x%02x at %d", control, at), request,
                        inQuery ? Tolerance.MAY_ACCEPT : Tolerance.NONE);
            }
        }
        if (endpoint.hasBody()) {
            byte[] valid = utf8(endpoint.validBody());
            outer:
            for (int at = 0; at <= valid.length; at++) {
                for (byte[] bad : INVALID_UTF8) {
                    if (cases.size() >= minimum) {
                        break outer;
                    }
                    Request request = new Request();
                    request.body = insert(valid, at, bad);
                    add("invalid UTF-8", hex(bad) + " at byte " + at, request);
                }
            }
        }
        for (String id : endpoint.ids()) {
            outer:
            for (int at = 0; at < id.length(); at++) {
                for (char c : new char[] {'g', 'z', 'G', '_', '.', '~', 'x', '!'}) {
                    if (cases.size() >= minimum) {
                        break outer;
                    }
                    if (id.charAt(at) == c) {
                        continue;
                    }
                    Request request = new Request();
                    String mutated = id.substring(0, at) + c + id.substring(at + 1);
                    request.target = ascii(endpoint.target().replace(id, mutated));
                    add("path id", "'" + c + "' at " + at, request);
                }
            }
        }
        outer:
        for (int at = 1; at < 12; at++) {
            for (int control : CONTROLS) {
                if (cases.size() >= minimum) {
                    break outer;
                }
                if (control == '\r' || control == '\n') {
                    continue;
                }
                Request request = new Request();
                request.headers.add(insert(ascii("X-Probe: value-abcdef"), 9 + at, new byte[] {(byte) control}));
                add("header", String.format("control byte 0x%02x in a header value at %d", control, at), request);
            }
        }
        Random random = new Random(endpoint.name().hashCode());
        while (cases.size() < minimum) {
            byte[] noise = new byte[1 + random.nextInt(200)];
            random.nextBytes(noise);
            // Never a valid request line: it starts with a byte no method starts with.
            noise[0] = (byte) (0x80 | noise[0]);
            byte[] request = new byte[noise.length + 4];
            System.arraycopy(noise, 0, request, 0, noise.length);
            System.arraycopy(ascii("\r\n\r\n"), 0, request, noise.length, 4);
            addRaw("not HTTP", "binary noise of " + noise.length + " bytes", request, true, Tolerance.MAY_CLOSE);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** Framing of a body: an endpoint that never reads one may ignore it (and Helidon does). */
    private Tolerance bodyFraming() {
        return endpoint.hasBody() ? Tolerance.NONE : Tolerance.MAY_ACCEPT;
    }

    private static boolean decodes(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 2);
            Long.parseLong(parts[0]);
            return parts.length == 2 && parts[1].matches("[0-9a-f-]{36}");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A read, where a request that is served anyway changes nothing. */
    private boolean reading() {
        return endpoint.method().equals("GET");
    }

    private static byte[] dropHost(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        return latin1(text.replaceFirst("Host: [^\r]*\r\n", ""));
    }

    private static byte[] chunk(String body, int size) {
        byte[] bytes = utf8(body);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i += size) {
            int n = Math.min(size, bytes.length - i);
            out.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
            out.write(bytes, i, n);
            out.writeBytes(ascii("\r\n"));
        }
        out.writeBytes(ascii("0\r\n\r\n"));
        return out.toByteArray();
    }

    private static byte[] insert(byte[] into, int at, byte[] what) {
        int position = Math.max(0, Math.min(at, into.length));
        byte[] out = new byte[into.length + what.length];
        System.arraycopy(into, 0, out, 0, position);
        System.arraycopy(what, 0, out, position, what.length);
        System.arraycopy(into, position, out, position + what.length, into.length - position);
        return out;
    }

    /** Percent-encodes what cannot stand in a path as it is; leaves % sequences as the case wrote them. */
    private static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c <= 0x20 || c >= 0x7F || c == '{' || c == '}' || c == '\'') {
                out.append(String.format("%%%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(text));
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02X", b & 0xFF));
        }
        return out.toString();
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
