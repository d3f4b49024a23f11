package io.meshshop.bench.loadgen;

import java.util.ArrayList;
import java.util.List;

/** Registers the users that the read and checkout scenarios use, through the user service's own API. */
final class Users {

    private Users() {
    }

    /**
     * Creates {@code count} users with e-mail addresses unique to this run ({@code runId}), each with its own
     * Idempotency-Key, and returns their ids. Fails on the first answer that is not 201.
     */
    static List<String> create(Endpoints users, int count, String runId) throws Exception {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String body = "{\"name\":\"Load Generator " + i + "\",\"email\":\"lg-" + runId + "-" + i + "@example.com\"}";
            ConnectionPool pool = users.pool();
            Response response = pool.send(pool.target().post("/api/users", body, "lg-" + runId + "-user-" + i));
            if (response.status() != 201) {
                throw new IllegalStateException("creating a user answered " + response.status() + ": "
                                                + response.bodyText());
            }
            String id = response.locationId() != null ? response.locationId() : response.jsonString("id");
            if (id == null) {
                throw new IllegalStateException("a created user has no id: " + response.bodyText());
            }
            ids.add(id);
        }
        return ids;
    }
}
