package io.meshshop.bench.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Polls a readiness URL from inside this JVM: one short connection per poll, no process forked. A
 * {@code curl} every few milliseconds would take a core of the two from the server that is starting.
 */
final class Readiness {

    private Readiness() {
    }

    /**
     * Returns the nanoTime of the first 200 from {@code url}, polling every {@code every}; or -1 when none
     * came within {@code timeout}, or when {@code process} (if given) exited first.
     */
    static long awaitReady(String url, Duration every, Duration timeout, Process process) throws InterruptedException {
        Target target = Target.parse(url);
        byte[] request = ("GET " + target.prefix() + " HTTP/1.1\r\nHost: " + target.hostHeader()
                          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (status(target, request) == 200) {
                return System.nanoTime();
            }
            if (process != null && !process.isAlive()) {
                return -1;
            }
            Thread.sleep(every);
        }
        return -1;
    }

    /** The status of one GET, or -1 when the port does not answer yet. */
    static int status(Target target, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(target.host(), target.port()), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = in.readNBytes(head, 0, head.length);
            // "HTTP/1.1 200": the status code is bytes 9 to 11.
            if (n < 12) {
                return -1;
            }
            return Integer.parseInt(new String(head, 9, 3, StandardCharsets.ISO_8859_1));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
