package io.meshshop.bench.loadgen;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A base URL ({@code http://host:port[/prefix]}) and the bytes of the requests sent to it. Plain HTTP/1.1
 * only: locally nothing else is needed, and in the cluster the Istio sidecar adds mTLS on the way out.
 */
record Target(String host, int port, String prefix, String hostHeader) {

    static Target parse(String baseUrl) {
        URI uri = URI.create(baseUrl);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("only http://host[:port][/prefix] base URLs are supported: " + baseUrl);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String prefix = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        String hostHeader = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + port;
        return new Target(uri.getHost(), port, prefix, hostHeader);
    }

    String url() {
        return "http://" + hostHeader + prefix;
    }

    byte[] get(String path) {
        return get(path, null);
    }

    /** A GET with the customer's {@code Authorization} header line (null: none). */
    byte[] get(String path, byte[] authorization) {
        byte[] head = head("GET", path).getBytes(StandardCharsets.ISO_8859_1);
        if (authorization == null) {
            return concat(head, CRLF, new byte[0]);
        }
        return concat(head, authorization, CRLF);
    }

    /**
     * A POST with a JSON body (empty allowed) and, when not null, an Idempotency-Key sent as a quoted
     * Structured Field string, as the services document it.
     */
    byte[] post(String path, String json, String idempotencyKey) {
        return post(path, json, idempotencyKey, null);
    }

    /** As {@link #post(String, String, String)}, with the customer's {@code Authorization} header line (null: none). */
    byte[] post(String path, String json, String idempotencyKey, byte[] authorization) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(head("POST", path));
        if (body.length > 0) {
            head.append("Content-Type: application/json\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n");
        if (idempotencyKey != null) {
            head.append("Idempotency-Key: \"").append(idempotencyKey).append("\"\r\n");
        }
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] auth = authorization == null ? new byte[0] : authorization;
        return concat(concat(headBytes, auth, CRLF), body, new byte[0]);
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] all = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        return all;
    }

    private String head(String method, String path) {
        return method + " " + prefix + path + " HTTP/1.1\r\n"
               + "Host: " + hostHeader + "\r\n"
               + "User-Agent: meshshop-loadgen\r\n"
               + "Accept: application/json\r\n";
    }
}
