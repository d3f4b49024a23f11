package io.meshshop.bench.loadgen;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keep-alive connections to one target, at most {@code max} at once. A request that finds every connection
 * busy waits for one; since latency is measured from the request's intended start, that wait is part of the
 * figure, as it would be for a real client.
 */
final class ConnectionPool implements AutoCloseable {

    private final Target target;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final Semaphore permits;
    // Last in, first out: the hottest connections are reused and the rest age out quietly.
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicLong opened = new AtomicLong();

    ConnectionPool(Target target, int max, int connectTimeoutMillis, int readTimeoutMillis) {
        this.target = target;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
        // Fair, so that waiting requests are served in arrival order and the tail is not made up.
        this.permits = new Semaphore(max, true);
    }

    Target target() {
        return target;
    }

    long opened() {
        return opened.get();
    }

    Response send(byte[] request) throws IOException, InterruptedException {
        permits.acquire();
        try {
            Connection connection = idle.pollFirst();
            if (connection != null) {
                try {
                    return exchange(connection, request);
                } catch (Connection.StaleConnectionException stale) {
                    // The server closed an idle connection between two requests; the request never reached
                    // it, so sending it on a fresh connection is what every HTTP client does.
                }
            }
            return exchange(open(), request);
        } finally {
            permits.release();
        }
    }

    private Connection open() throws IOException {
        Connection connection = Connection.open(target, connectTimeoutMillis, readTimeoutMillis);
        opened.incrementAndGet();
        return connection;
    }

    private Response exchange(Connection connection, byte[] request) throws IOException {
        boolean keep = false;
        try {
            Response response = connection.exchange(request);
            keep = response.keepAlive();
            return response;
        } finally {
            if (keep) {
                idle.offerFirst(connection);
            } else {
                connection.close();
            }
        }
    }

    @Override
    public void close() {
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.close();
        }
    }
}
