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
        return (head("GET", path) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * A POST with a JSON body (empty allowed) and, when not null, an Idempotency-Key sent as a quoted
     * Structured Field string, as the services document it.
     */
    byte[] post(String path, String json, String idempotencyKey) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(head("POST", path));
        if (body.length > 0) {
            head.append("Content-Type: application/json\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n");
        if (idempotencyKey != null) {
            head.append("Idempotency-Key: \"").append(idempotencyKey).append("\"\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    private String head(String method, String path) {
        return method + " " + prefix + path + " HTTP/1.1\r\n"
               + "Host: " + hostHeader + "\r\n"
               + "User-Agent: meshshop-loadgen\r\n"
               + "Accept: application/json\r\n";
    }
}
