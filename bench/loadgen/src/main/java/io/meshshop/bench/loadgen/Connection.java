package io.meshshop.bench.loadgen;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection on a blocking socket, used by one virtual thread at a time. A raw
 * socket rather than the JDK HttpClient: on 2 cores shared with the servers, the generator's own CPU per
 * request is taken from the servers, so it is kept as small as the protocol allows. The response is read
 * through a buffer of the connection's own, not a {@code BufferedInputStream}: the head is parsed a byte at a
 * time, and that stream takes a lock on every {@code read()}.
 */
final class Connection implements AutoCloseable {

    /** Thrown when a reused connection turns out closed before any response byte: safe to resend. */
    static final class StaleConnectionException extends IOException {
        StaleConnectionException() {
            super("connection closed by the server before the response");
        }
    }

    private static final int MAX_LINE = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] line = new byte[MAX_LINE];
    /** Bytes read from the socket and not yet consumed: {@code buffer[position..limit)}. */
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;

    private Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
    }

    static Connection open(Target target, int connectTimeoutMillis, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(target.host(), target.port()), connectTimeoutMillis);
            socket.setSoTimeout(readTimeoutMillis);
            return new Connection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    Response exchange(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        int length = readLine(true);
        String statusLine = new String(line, 0, length, StandardCharsets.ISO_8859_1);
        // "HTTP/1.1 200 OK": the status is the three digits after the first space.
        int space = statusLine.indexOf(' ');
        if (!statusLine.startsWith("HTTP/1.") || space < 0 || statusLine.length() < space + 4) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(space + 1, space + 4));
        boolean keepAlive = statusLine.startsWith("HTTP/1.1");
        long contentLength = -1;
        boolean chunked = false;
        String location = null;
        while (true) {
            length = readLine(false);
            if (length == 0) {
                break;
            }
            String header = new String(line, 0, length, StandardCharsets.ISO_8859_1);
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> {
                    String v = value.toLowerCase(Locale.ROOT);
                    if (v.contains("close")) {
                        keepAlive = false;
                    } else if (v.contains("keep-alive")) {
                        keepAlive = true;
                    }
                }
                case "location" -> location = value;
                default -> {
                    // not needed by any scenario
                }
            }
        }
        byte[] body;
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
            body = new byte[0];
        } else if (chunked) {
            body = readChunked();
        } else if (contentLength >= 0) {
            body = readExactly((int) contentLength, "body");
        } else {
            // No length: the body runs to the end of the connection.
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.write(buffer, position, limit - position);
            position = limit;
            rest.write(in.readAllBytes());
            body = rest.toByteArray();
            keepAlive = false;
        }
        return new Response(status, location, body, keepAlive);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int length = readLine(false);
            String sizeText = new String(line, 0, length, StandardCharsets.ISO_8859_1);
            int semicolon = sizeText.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                // Trailer fields, then the empty line.
                while (readLine(false) != 0) {
                    // ignored
                }
                return body.toByteArray();
            }
            body.write(readExactly(size, "chunk"));
            readLine(false);
        }
    }

    /** {@code length} bytes: what the buffer holds first, the rest straight from the socket. */
    private byte[] readExactly(int length, String what) throws IOException {
        byte[] bytes = new byte[length];
        int n = Math.min(length, limit - position);
        System.arraycopy(buffer, position, bytes, 0, n);
        position += n;
        while (n < length) {
            int read = in.read(bytes, n, length - n);
            if (read < 0) {
                throw new EOFException(what + " ended after " + n + " of " + length + " bytes");
            }
            n += read;
        }
        return bytes;
    }

    /** The next byte of the response, or -1 at the end of the stream. */
    private int read() throws IOException {
        if (position == limit) {
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return -1;
            }
            position = 0;
            limit = n;
        }
        return buffer[position++] & 0xff;
    }

    /** Reads one CRLF-terminated line into {@link #line}; returns its length without the CRLF. */
    private int readLine(boolean first) throws IOException {
        int length = 0;
        while (true) {
            int b = read();
            if (b < 0) {
                if (first && length == 0) {
                    throw new StaleConnectionException();
                }
                throw new EOFException("connection closed inside the response");
            }
            if (b == '\n') {
                return length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            }
            if (length == MAX_LINE) {
                throw new IOException("response line longer than " + MAX_LINE + " bytes");
            }
            line[length++] = (byte) b;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a broken socket: nothing left to do
        }
    }
}
