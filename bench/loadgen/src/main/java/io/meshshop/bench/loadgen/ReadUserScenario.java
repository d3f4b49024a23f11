package io.meshshop.bench.loadgen;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * {@code read-user}: {@code GET /api/users/{id}} by customers registered and signed in first, each reading
 * themself with their own bearer token (the only way the route answers since customers sign in).
 */
final class ReadUserScenario implements Scenario {

    private final Endpoints users;
    private final int count;
    private final String runId;
    private Customers customers;

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
        if (customers != null) {
            // Prepared again (each training run of the start-up timer): the earlier customers' renewals stop.
            customers.close();
        }
        customers = Customers.create(users, count, runId + "-" + System.nanoTime() % 100_000).renewing();
    }

    @Override
    public Outcome perform() {
        Customers.Customer customer = customers.any();
        return users.get("read", "/api/users/" + customer.id(), customer.authorization());
    }

    @Override
    public JsonObject describe() {
        return Json.createObjectBuilder().add("urls", users.urls())
                .add("users", customers == null ? 0 : customers.all().size())
                .add("signIn", customers == null ? JsonObject.EMPTY_JSON_OBJECT : customers.describe())
                .build();
    }

    @Override
    public void close() {
        if (customers != null) {
            customers.close();
        }
        users.close();
    }
}
