package io.meshshop.common.db;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

class MicrosecondClockTest {

    @Test
    void ticksInMicrosecondsAsBothDatabasesStoreThem() {
        Clock fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00.123456789Z"), ZoneOffset.UTC);
        Clock micros = MicrosecondClock.of(fixed);
        assertThat("nanoseconds below a microsecond are dropped", micros.instant(),
                is(Instant.parse("2026-01-01T00:00:00.123456Z")));
        assertThat("wrapping twice changes nothing", MicrosecondClock.of(micros), sameInstance(micros));
        assertThat("as a parameter, in UTC", Rows.timestamp(micros.instant()).getOffset(), is(ZoneOffset.UTC));
    }
}
