package io.meshshop.bench.loadgen;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/** {@code read-user}: {@code GET /api/users/{id}} over users registered first. */
final class ReadUserScenario implements Scenario {

    private final Endpoints users;
    private final int count;
    private final String runId;
    private List<String> ids = List.of();

    ReadUserScenario(Endpoints users, int count, String runId) {
        this.users = users;
        this.count = count;
        this.runId = runId;
    }

    @Override
    public String name() {
        return "read-user";
    }

    @Override
    public void prepare() throws Exception {
        ids = Users.create(users, count, runId);
    }

    List<String> ids() {
        return ids;
    }

    @Override
    public Outcome perform() {
        String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
        return users.get("read", "/api/users/" + id);
    }

    @Override
    public JsonObject describe() {
        return Json.createObjectBuilder().add("urls", users.urls()).add("users", ids.size()).build();
    }

    @Override
    public void close() {
        users.close();
    }
}
