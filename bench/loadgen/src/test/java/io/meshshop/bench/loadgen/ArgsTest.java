package io.meshshop.bench.loadgen;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArgsTest {

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofMillis(500), Args.parseDuration("500ms"));
        assertEquals(Duration.ofMillis(1500), Args.parseDuration("1.5s"));
        assertEquals(Duration.ofMinutes(2), Args.parseDuration("2m"));
        assertEquals(Duration.ofHours(3), Args.parseDuration("3h"));
        assertEquals(Duration.ofSeconds(7), Args.parseDuration("7"));
    }

    @Test
    void keepsRepeatedOptionsAndTheCommandAfterDashes() {
        Args args = new Args(new String[] {"startup", "--env", "A=1", "--env", "B=2", "--", "java", "-jar", "x.jar"}, 1);
        assertEquals(List.of("A=1", "B=2"), args.all("env"));
        assertEquals(List.of("java", "-jar", "x.jar"), args.command());
    }

    @Test
    void rejectsAnOptionNothingRead() {
        Args args = new Args(new String[] {"run", "--rate", "5", "--raet", "6"}, 1);
        args.number("rate", 1);
        assertThrows(IllegalArgumentException.class, args::rejectUnknown);
    }

    @Test
    void theMixMustAddUpToOneHundred() {
        assertEquals(Map.of("place", 80, "read", 15, "cancel", 5), CheckoutScenario.parseMix("place=80,read=15,cancel=5"));
        assertThrows(IllegalArgumentException.class, () -> CheckoutScenario.parseMix("place=80,read=15"));
        assertThrows(IllegalArgumentException.class, () -> CheckoutScenario.parseMix("buy=100"));
    }
}
