package io.meshshop.reliability.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request or response, read whole: start line, headers, and the body de-chunked. The proxy
 * needs whole messages to deliver a request twice, to hold a response back, or to drop it after the
 * upstream committed; the services' messages are small, and a cap keeps a runaway one from eating memory.
 */
public final class HttpMessage {

    static final int MAX_HEAD_BYTES = 64 * 1024;
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    /** Hop-by-hop headers, and the framing headers the proxy writes itself. */
    private static final List<String> NOT_FORWARDED = List.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "content-length", "te", "upgrade");

    private final String startLine;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;

    public HttpMessage(String startLine, List<Map.Entry<String, String>> headers, byte[] body) {
        this.startLine = startLine;
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    /** Reads a request; null when the connection closed cleanly before one began. */
    public static HttpMessage readRequest(InputStream in) throws IOException {
        String start = readLine(in, true);
        if (start == null) {
            return null;
        }
        List<Map.Entry<String, String>> headers = readHeaders(in);
        return new HttpMessage(start, headers, readBody(in, headers, false));
    }

    /** Reads a response to a request with {@code method}; skips interim 1xx answers. */
    public static HttpMessage readResponse(InputStream in, String method) throws IOException {
        while (true) {
            String start = readLine(in, true);
            if (start == null) {
                throw new IOException("upstream closed the connection before answering");
            }
            List<Map.Entry<String, String>> headers = readHeaders(in);
            int status = statusOf(start);
            if (status >= 100 && status < 200) {
                continue;
            }
            boolean noBody = method.equals("HEAD") || status == 204 || status == 304;
            return new HttpMessage(start, headers, noBody ? new byte[0] : readBody(in, headers, true));
        }
    }

    public String startLine() {
        return startLine;
    }

    public String method() {
        return startLine.split(" ", 2)[0];
    }

    /** The request target (path and query). */
    public String target() {
        String[] parts = startLine.split(" ");
        return parts.length > 1 ? parts[1] : "";
    }

    public int status() {
        return statusOf(startLine);
    }

    public byte[] body() {
        return body;
    }

    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** True for the methods that change something, which are the ones a duplicate can hurt. */
    public boolean mutating() {
        String method = method();
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH") || method.equals("DELETE");
    }

    /** True when the sender asked to close the connection after this message. */
    public boolean wantsClose() {
        String connection = header("Connection");
        return connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
    }

    /**
     * Writes the message with a Content-Length and without hop-by-hop headers.
     *
     * @param close adds {@code Connection: close} (upstream requests: one connection per attempt)
     */
    public void writeTo(OutputStream out, boolean close) throws IOException {
        StringBuilder head = new StringBuilder(startLine).append("\r\n");
        for (Map.Entry<String, String> header : headers) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
            }
        }
        boolean request = !startLine.startsWith("HTTP/");
        if (body.length > 0 || !request || mutating()) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (close) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** A response made by the proxy itself (Envoy's local replies are text/plain). */
    public static HttpMessage localReply(int status, String reason, String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        return new HttpMessage("HTTP/1.1 " + status + " " + reason,
                List.of(Map.entry("Content-Type", "text/plain"), Map.entry("Server", "envoy")), body);
    }

    private static int statusOf(String startLine) {
        String[] parts = startLine.split(" ");
        try {
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<Map.Entry<String, String>> readHeaders(InputStream in) throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int total = 0;
        while (true) {
            String line = readLine(in, false);
            if (line == null) {
                throw new IOException("connection closed inside the headers");
            }
            if (line.isEmpty()) {
                return headers;
            }
            total += line.length();
            if (total > MAX_HEAD_BYTES) {
                throw new IOException("headers larger than " + MAX_HEAD_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line");
            }
            headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
    }

    private static byte[] readBody(InputStream in, List<Map.Entry<String, String>> headers, boolean untilEof)
            throws IOException {
        String transfer = null;
        String length = null;
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase("Transfer-Encoding")) {
                transfer = header.getValue();
            } else if (header.getKey().equalsIgnoreCase("Content-Length")) {
                length = header.getValue();
            }
        }
        if (transfer != null && transfer.toLowerCase(Locale.ROOT).contains("chunked")) {
            return readChunked(in);
        }
        if (length != null) {
            long declared = Long.parseLong(length.trim());
            if (declared < 0 || declared > MAX_BODY_BYTES) {
                throw new IOException("body of " + declared + " bytes is beyond the proxy's limit");
            }
            byte[] body = in.readNBytes((int) declared);
            if (body.length != declared) {
                throw new IOException("connection closed inside the body");
            }
            return body;
        }
        if (!untilEof) {
            return new byte[0];
        }
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw new IOException("body beyond the proxy's limit");
        }
        return body;
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, false);
            if (sizeLine == null) {
                throw new IOException("connection closed inside a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                // Trailers, up to the empty line.
                while (true) {
                    String trailer = readLine(in, false);
                    if (trailer == null || trailer.isEmpty()) {
                        return body.toByteArray();
                    }
                }
            }
            if (body.size() + size > MAX_BODY_BYTES) {
                throw new IOException("chunked body beyond the proxy's limit");
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new IOException("connection closed inside a chunk");
            }
            body.write(chunk);
            readLine(in, false);
        }
    }

    /** A line up to LF, without CR LF; null on end of stream before any byte (when {@code eofIsNull}). */
    private static String readLine(InputStream in, boolean eofIsNull) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0 && eofIsNull) {
                    return null;
                }
                if (line.size() == 0) {
                    return null;
                }
                throw new IOException("connection closed inside a line");
            }
            if (b == '\n') {
                break;
            }
            line.write(b);
            if (line.size() > MAX_HEAD_BYTES) {
                throw new IOException("line longer than " + MAX_HEAD_BYTES + " bytes");
            }
        }
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }
}
