package io.meshshop.user.auth;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.meshshop.common.problem.ProblemException;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HashingSlotsTest {

    @Test
    void whenEverySlotIsTakenTheNextIsRefused503WithRetryAfter() throws Exception {
        HashingSlots slots = new HashingSlots(1, Duration.ofMillis(50));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> slots.run(() -> {
            holding.countDown();
            try {
                return release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat("the holder got the slot", holding.await(10, TimeUnit.SECONDS), is(true));
        long start = System.nanoTime();
        ProblemException refused = assertThrows(ProblemException.class, () -> slots.run(() -> "never"));
        assertThat("waited the max wait first", System.nanoTime() - start, greaterThanOrEqualTo(Duration.ofMillis(50).toNanos()));
        assertThat(refused.problem().status(), is(503));
        assertThat(refused.problem().type(), is(HashingSlots.OVERLOADED));
        assertThat(refused.retryAfterSeconds().orElseThrow(), is(HashingSlots.RETRY_AFTER_SECONDS));

        release.countDown();
        holder.join();
        assertThat("a freed slot is used again", slots.run(() -> "done"), is("done"));
    }

    @Test
    void aFailingHashGivesItsSlotBack() {
        HashingSlots slots = new HashingSlots(1, Duration.ZERO);
        assertThrows(IllegalStateException.class, () -> slots.run(() -> {
            throw new IllegalStateException("hash failed");
        }));
        assertThat(slots.run(() -> "next"), is("next"));
    }

    @Test
    void automaticSlotsFitHalfTheHeap() {
        long heap = Runtime.getRuntime().maxMemory();
        assertThat("one when half the heap holds less than one hash", HashingSlots.automatic(heap), is(1));
        int many = HashingSlots.automatic(1024);
        assertThat("otherwise one per processor", many, is(Runtime.getRuntime().availableProcessors()));
    }
}
