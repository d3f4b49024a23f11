package io.meshshop.common.db;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * A clock that ticks in microseconds: what both H2 and PostgreSQL keep of a timestamp. A service that takes
 * its time from it stores exactly the instant it answers with, so an object read back equals the one
 * written, and a compare-and-set on a timestamp compares what was stored.
 */
public final class MicrosecondClock extends Clock {

    private final Clock clock;

    private MicrosecondClock(Clock clock) {
        this.clock = clock;
    }

    /** The system clock in UTC, truncated to microseconds. */
    public static Clock systemUTC() {
        return of(Clock.systemUTC());
    }

    /** {@code clock} truncated to microseconds (tests pass a clock they move themselves). */
    public static Clock of(Clock clock) {
        return clock instanceof MicrosecondClock ? clock : new MicrosecondClock(clock);
    }

    @Override
    public Instant instant() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public ZoneId getZone() {
        return clock.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MicrosecondClock(clock.withZone(zone));
    }
}
