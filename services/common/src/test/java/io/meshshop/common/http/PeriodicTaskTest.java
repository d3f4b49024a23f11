package io.meshshop.common.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.meshshop.common.testing.Await;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A periodic task runs while its server runs, and a failed run does not end it. */
class PeriodicTaskTest {

    @Test
    void runsAfterStartKeepsRunningAfterAFailureAndStopsWithTheServer() {
        AtomicInteger runs = new AtomicInteger();
        PeriodicTask task = PeriodicTask.every("test-task", Duration.ofMillis(10), () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("the first run fails on purpose");
            }
        });
        assertThat("nothing runs before the server starts", runs.get(), is(0));
        task.beforeStart();
        Await.until("three runs, the first of which failed", Duration.ofSeconds(10), () -> runs.get() >= 3);
        task.afterStop();
        Await.until("the task's thread to end after stop", Duration.ofSeconds(10),
                () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(thread -> thread.getName().equals("test-task") && thread.isAlive()));
    }

    @Test
    void anIntervalMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> PeriodicTask.every("t", Duration.ZERO, () -> { }),
                "a zero interval is refused");
    }
}
