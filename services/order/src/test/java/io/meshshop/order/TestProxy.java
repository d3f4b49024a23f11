package io.meshshop.order;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP/1.1 server standing between order and one of its dependencies, as a sidecar would: it
 * records every request as it arrived on the wire (headers included) and forwards it, or plays a failure:
 * refusing the connection's request with a TCP reset (the dependency is down), answering 503 itself, or
 * forwarding the request and resetting the connection instead of returning the answer (the effect
 * happened, the response was lost).
 */
final class TestProxy implements AutoCloseable {

    enum Mode { FORWARD, RESET, FAIL_503, DROP_RESPONSE }

    /** One request as received: method, path, headers by lower-case name, and what the proxy did with it. */
    record Seen(String method, String path, Map<String, List<String>> headers, String body, Mode mode) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
        }
    }

    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length",
            "transfer-encoding", "expect", "upgrade", "keep-alive");

    private final String target;
    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.FORWARD;

    TestProxy(String target) {
        this.target = target;
        try {
            this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        threads.submit(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    void mode(Mode mode) {
        this.mode = mode;
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Requests whose path starts with {@code prefix}. */
    List<Seen> seen(String method, String prefix) {
        return seen.stream().filter(s -> s.method().equals(method) && s.path().startsWith(prefix)).toList();
    }

    /** Requests that carried the given header value. */
    List<Seen> seenWith(String header, String value) {
        return seen.stream().filter(s -> value.equals(s.header(header))).toList();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(TestProxy::reset);
        threads.shutdownNow();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Serves one connection, request after request (the client keeps connections alive). */
    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                Seen request = read(in);
                if (request == null) {
                    return;
                }
                Mode now = mode;
                seen.add(new Seen(request.method(), request.path(), request.headers(), request.body(), now));
                if (now == Mode.RESET) {
                    reset(socket);
                    return;
                }
                if (now == Mode.FAIL_503) {
                    write(out, 503, Map.of("Content-Type", List.of("text/plain")), "upstream down".getBytes());
                    continue;
                }
                HttpResponse<byte[]> response = forward(request);
                if (now == Mode.DROP_RESPONSE) {
                    reset(socket);
                    return;
                }
                write(out, response.statusCode(), response.headers().map(), response.body());
            }
        } catch (IOException | InterruptedException e) {
            // the client went away or the proxy is closing
        } finally {
            open.remove(socket);
        }
    }

    private HttpResponse<byte[]> forward(Seen request) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(target + request.path()))
                .timeout(Duration.ofSeconds(20))
                .method(request.method(), request.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(request.body()));
        request.headers().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name)) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        return upstream.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Seen read(InputStream in) throws IOException {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.computeIfAbsent(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(header.substring(colon + 1).strip());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length").getFirst()));
        } else if (headers.getOrDefault("transfer-encoding", List.of()).contains("chunked")) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].strip(), 16); size > 0;
                 size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
                chunks.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            body = chunks.toByteArray();
        } else {
            body = new byte[0];
        }
        return new Seen(parts[0], parts[1], headers, new String(body, StandardCharsets.UTF_8), null);
    }

    /** One line of an HTTP head without its CRLF; null at the end of the stream. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void write(OutputStream out, int status, Map<String, List<String>> headers, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
        headers.forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                values.forEach(value -> head.append(name).append(": ").append(value).append("\r\n"));
            }
        });
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** Closes with a TCP RST: the client sees "connection reset", as from a crashed peer. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
