package io.meshshop.bench.loadgen;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SteadyArgsTest {

    private static Args args(String... argv) {
        String[] all = new String[argv.length + 1];
        all[0] = "steady";
        System.arraycopy(argv, 0, all, 1, argv.length);
        return new Args(all, 1);
    }

    @Test
    void parsesRatesPerSecondMinuteAndHour() {
        assertEquals(2.0, Steady.parseRate("2/s"), 1e-9, "2/s");
        assertEquals(0.5, Steady.parseRate("30/m"), 1e-9, "30/m");
        assertEquals(0.1, Steady.parseRate("360/h"), 1e-9, "360/h");
        assertEquals(1.5, Steady.parseRate("1.5"), 1e-9, "a bare number is per second");
    }

    @Test
    void rejectsRatesThatAreNotAboveZeroOrHaveNoKnownUnit() {
        for (String bad : new String[] {"0/s", "-1/s", "2/d", "fast", "/s", "NaN/s"}) {
            assertThrows(IllegalArgumentException.class, () -> Steady.parseRate(bad), "--rate " + bad + " should be refused");
        }
    }

    @Test
    void defaultsAreAFewCustomersAtALowBoundedRate() {
        Args args = args("--user-url", "http://gw", "--order-url", "http://gw");
        Steady.Settings settings = Steady.Settings.from(args);
        assertEquals(2.0, settings.ratePerSecond(), 1e-9, "default rate");
        assertEquals(3, settings.customers(), "default customers");
        assertEquals(16, settings.maxInFlight(), "default bound on requests in flight");
        assertEquals(Duration.ofSeconds(60), settings.window(), "default summary window");
        assertEquals("place=50,read=40,cancel=10", settings.mix(), "default mix places, reads and sometimes cancels");
    }

    @Test
    void readsEveryOptionTheDeploymentPasses() {
        Args args = args("--user-url", "http://gw", "--order-url", "http://gw", "--rate", "1/s", "--customers", "5",
                "--max-in-flight", "8", "--window", "30s", "--mix", "place=60,read=30,cancel=10", "--read-timeout", "5s");
        Steady.Settings settings = Steady.Settings.from(args);
        assertEquals(new Steady.Settings("http://gw", "http://gw", 1.0, 5, "place=60,read=30,cancel=10",
                Duration.ofSeconds(30), 8, Duration.ofSeconds(5)), settings, "settings read from the options");
        args.rejectUnknown();
    }

    @Test
    void refusesMissingUrlsBadCountsAndBadMixes() {
        assertThrows(IllegalArgumentException.class, () -> Steady.Settings.from(args("--order-url", "http://gw")),
                "--user-url is required");
        assertThrows(IllegalArgumentException.class, () -> Steady.Settings.from(
                args("--user-url", "u", "--order-url", "o", "--customers", "0")), "zero customers");
        assertThrows(IllegalArgumentException.class, () -> Steady.Settings.from(
                args("--user-url", "u", "--order-url", "o", "--max-in-flight", "0")), "unbounded concurrency");
        assertThrows(IllegalArgumentException.class, () -> Steady.Settings.from(
                args("--user-url", "u", "--order-url", "o", "--mix", "place=50,read=10")), "a mix that is not 100");
    }

    @Test
    void aMisspeltOptionFailsTheRun() {
        Args args = args("--user-url", "u", "--order-url", "o", "--costumers", "3");
        Steady.Settings.from(args);
        assertThrows(IllegalArgumentException.class, args::rejectUnknown, "--costumers is not an option");
    }
}
