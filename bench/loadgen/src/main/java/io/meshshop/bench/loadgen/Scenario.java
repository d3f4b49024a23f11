package io.meshshop.bench.loadgen;

import jakarta.json.JsonObject;

/** One kind of traffic: prepared once (test data), then called once per request of the schedule. */
interface Scenario extends AutoCloseable {

    String name();

    /** Creates what the requests need (users, the product list) before any load is timed. */
    void prepare() throws Exception;

    /** Sends one request of the mix and says how it ended; never throws, since a failure is a result. */
    Outcome perform();

    /** The scenario's settings and data sizes, for the result file. */
    JsonObject describe();

    @Override
    void close();
}
