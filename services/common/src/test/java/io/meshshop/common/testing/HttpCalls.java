package io.meshshop.common.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A plain JDK HTTP client for tests that need what Helidon's test client does not do: many concurrent
 * requests, and requests spread over several server instances.
 */
public final class HttpCalls {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private HttpCalls() {
    }

    public static HttpResponse<String> send(String method, String url, String json, String... headers) {
        if (json != null) {
            return sendBytes(method, url, "application/json", json.getBytes(StandardCharsets.UTF_8), headers);
        }
        return exchange(withHeaders(HttpRequest.newBuilder(URI.create(url)), headers)
                .method(method, HttpRequest.BodyPublishers.noBody()), method, url);
    }

    /**
     * Sends raw bytes with the given Content-Type (none when null): for bodies that are not valid JSON or
     * not UTF-8, which {@link #send} cannot express.
     */
    public static HttpResponse<String> sendBytes(String method, String url, String contentType, byte[] body,
                                                 String... headers) {
        HttpRequest.Builder request = withHeaders(HttpRequest.newBuilder(URI.create(url)), headers)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return exchange(request, method, url);
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder request, String... headers) {
        request.timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static HttpResponse<String> exchange(HttpRequest.Builder request, String method, String url) {
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("Request failed: " + method + " " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }

    /** Status, Content-Type and body of an answer read off a raw socket. */
    public record RawResponse(int status, String contentType, String body) {
    }

    /**
     * Announces a JSON body one byte over the 1 MiB limit and reads the answer without sending the body.
     * The server answers 413 from the Content-Length alone and closes; body bytes it never reads would make
     * the kernel reset the connection, and the reset can overtake the 413 on its way to the client.
     */
    public static RawResponse oversizedPost(String baseUrl, String path) {
        URI uri = URI.create(baseUrl);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
                       + "Content-Type: application/json\r\nContent-Length: " + (1024 * 1024 + 1) + "\r\n"
                       + "Idempotency-Key: oversized-" + System.nanoTime() + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            int status = Integer.parseInt(in.readLine().split(" ")[1]);
            String contentType = "";
            int length = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(line.indexOf(':') + 1).strip();
                } else if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
                }
            }
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return new RawResponse(status, contentType, new String(body, 0, read));
        } catch (IOException e) {
            throw new AssertionError("Oversized POST to " + path + " failed", e);
        }
    }

    /** Runs all calls at once (one virtual thread each) and answers their results in order. */
    public static <T> List<T> concurrently(List<Callable<T>> calls) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = pool.invokeAll(calls);
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (Exception e) {
            throw new AssertionError("Concurrent calls failed", e);
        }
    }
}
