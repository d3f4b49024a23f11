package io.meshshop.bench.loadgen;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/** {@code get}: the same GET again and again; the ceiling server's scenario. */
final class GetScenario implements Scenario {

    private final Endpoints endpoints;
    private final String path;

    GetScenario(Endpoints endpoints, String path) {
        this.endpoints = endpoints;
        this.path = path;
    }

    @Override
    public String name() {
        return "get";
    }

    @Override
    public void prepare() throws Exception {
        Outcome first = endpoints.get("get", path);
        if (!first.ok()) {
            throw new IllegalStateException("GET " + path + " answered " + first.key() + ", not 2xx");
        }
    }

    @Override
    public Outcome perform() {
        return endpoints.get("get", path);
    }

    @Override
    public JsonObject describe() {
        return Json.createObjectBuilder().add("urls", endpoints.urls()).add("path", path).build();
    }

    @Override
    public void close() {
        endpoints.close();
    }
}
