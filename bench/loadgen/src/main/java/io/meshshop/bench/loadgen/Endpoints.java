package io.meshshop.bench.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;

/**
 * The base URLs of one service (a comma-separated list, e.g. two replicas), each with its own pool; requests
 * go round-robin over them.
 */
final class Endpoints implements AutoCloseable {

    private final List<ConnectionPool> pools = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    Endpoints(String urls, int connections, int connectTimeoutMillis, int readTimeoutMillis) {
        for (String url : urls.split(",")) {
            if (!url.isBlank()) {
                pools.add(new ConnectionPool(Target.parse(url.trim()), connections, connectTimeoutMillis,
                        readTimeoutMillis));
            }
        }
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("no base URL in '" + urls + "'");
        }
    }

    static Endpoints from(Args args, String option) {
        return new Endpoints(args.required(option), args.integer("connections", 256),
                (int) args.duration("connect-timeout", "2s").toMillis(),
                (int) args.duration("read-timeout", "10s").toMillis());
    }

    ConnectionPool pool() {
        if (pools.size() == 1) {
            return pools.getFirst();
        }
        return pools.get(Math.floorMod(next.getAndIncrement(), pools.size()));
    }

    Outcome get(String operation, String path) {
        return get(operation, path, null);
    }

    /** A GET as a signed-in customer: {@code authorization} is its header line (null: none). */
    Outcome get(String operation, String path, byte[] authorization) {
        ConnectionPool pool = pool();
        try {
            return Outcome.of(operation, pool.send(pool.target().get(path, authorization)));
        } catch (Exception e) {
            return Outcome.failed(operation, e);
        }
    }

    JsonArray urls() {
        JsonArrayBuilder urls = Json.createArrayBuilder();
        pools.forEach(p -> urls.add(p.target().url()));
        return urls.build();
    }

    long connectionsOpened() {
        return pools.stream().mapToLong(ConnectionPool::opened).sum();
    }

    @Override
    public void close() {
        pools.forEach(ConnectionPool::close);
    }
}
