package io.meshshop.reliability.badinput;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Sends bytes that no HTTP client library would send (broken request lines, invalid UTF-8 in headers,
 * conflicting lengths, a megabyte of headers) over a plain socket and reads whatever comes back. The
 * request is written by its own thread, so a server that answers before it read the whole request (a
 * 413) is heard even though the rest of the request then fails to send.
 */
public final class RawHttp {

    /**
     * What came back: a status, or none ({@code outcome} says why: closed, reset, timeout).
     *
     * @param challenge the WWW-Authenticate header, or null
     */
    public record Response(int status, String contentType, String challenge, byte[] body, String outcome) {

        public boolean answered() {
            return status > 0;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final int MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

    private RawHttp() {
    }

    /**
     * @param halfClose shut the sending side after the request, for requests that announce more than they
     *                  carry: the server then sees the end instead of waiting for the rest
     */
    public static Response exchange(int port, byte[] request, boolean halfClose, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(request);
                    out.flush();
                    if (halfClose) {
                        socket.shutdownOutput();
                    }
                } catch (IOException e) {
                    // The server stopped reading (it answered early, or closed): the answer tells.
                }
            });
            Response response = read(new BufferedInputStream(socket.getInputStream()));
            writer.join(timeoutMillis);
            return response;
        } catch (SocketTimeoutException e) {
            return new Response(-1, null, null, new byte[0], "timeout");
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return new Response(-1, null, null, new byte[0], message.contains("reset") ? "reset" : "io: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(-1, null, null, new byte[0], "interrupted");
        }
    }

    private static Response read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            return new Response(-1, null, null, new byte[0], "closed without an answer");
        }
        String[] parts = status.split(" ", 3);
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            return new Response(-1, null, null, new byte[0], "not HTTP: " + status);
        }
        String contentType = null;
        String challenge = null;
        long length = -1;
        boolean chunked = false;
        while (true) {
            String header = line(in);
            if (header == null || header.isEmpty()) {
                break;
            }
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-type" -> contentType = value;
                case "www-authenticate" -> challenge = value;
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                default -> {
                }
            }
        }
        byte[] body;
        if (chunked) {
            body = chunked(in);
        } else if (length >= 0) {
            body = in.readNBytes((int) Math.min(length, MAX_RESPONSE_BYTES));
        } else {
            body = new byte[0];
        }
        return new Response(code, contentType, challenge, body, "answered");
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (body.size() < MAX_RESPONSE_BYTES) {
            String size = line(in);
            if (size == null) {
                break;
            }
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
            if (n == 0) {
                break;
            }
            body.write(in.readNBytes(n));
            line(in);
        }
        return body.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > 64 * 1024) {
                throw new IOException("response line too long");
            }
        }
    }
}
