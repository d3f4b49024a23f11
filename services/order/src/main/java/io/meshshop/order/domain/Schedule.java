package io.meshshop.order.domain;

import java.time.Duration;

import io.helidon.config.Config;

/**
 * The saga's timing ({@code recovery.*}).
 *
 * @param enabled  whether this instance runs recovery passes at all
 * @param interval how often recovery looks for orders that owe something
 * @param age      how long an order is left alone after it was created or last tried
 * @param lease    how long a claim on an order holds before someone else may take it over
 * @param batch    how many orders one recovery pass settles at most
 */
public record Schedule(boolean enabled, Duration interval, Duration age, Duration lease, int batch) {

    public static Schedule from(Config recovery) {
        return new Schedule(recovery.get("enabled").asBoolean().orElse(true),
                recovery.get("interval").as(Duration.class).orElse(Duration.ofSeconds(5)),
                recovery.get("age").as(Duration.class).orElse(Duration.ofSeconds(5)),
                recovery.get("lease").as(Duration.class).orElse(Duration.ofSeconds(30)),
                recovery.get("batch").asInt().orElse(20));
    }
}
