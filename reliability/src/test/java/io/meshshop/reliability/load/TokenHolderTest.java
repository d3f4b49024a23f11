package io.meshshop.reliability.load;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token holder against a scripted sign-in and a clock the test moves. */
class TokenHolderTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Deque<Answer> answers = new ArrayDeque<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final Supplier<Answer> signIn = () -> {
        calls.incrementAndGet();
        return answers.isEmpty() ? Answer.of(503, "application/problem+json", "2", "{}", 1) : answers.poll();
    };
    private final TokenHolder holder = new TokenHolder(signIn, clock::get);

    private static Answer token(String token, long expiresIn) {
        return Answer.of(200, "application/json", null,
                "{\"accessToken\":\"" + token + "\",\"tokenType\":\"Bearer\",\"expiresIn\":" + expiresIn + "}", 1);
    }

    private void advance(Duration duration) {
        clock.addAndGet(duration.toNanos());
    }

    @Test
    void signsInOnFirstUseAndKeepsTheTokenUntilFourFifthsOfItsLife() {
        answers.add(token("first", 900));
        answers.add(token("second", 900));
        assertEquals("first", holder.token());
        advance(Duration.ofSeconds(719));
        assertEquals("first", holder.token(), "12 minutes of 15 have not passed");
        assertEquals(1, calls.get(), "no sign-in while the token is young");
        advance(Duration.ofSeconds(1));
        assertEquals("second", holder.token(), "at 80% of expiresIn the customer signs in again");
        assertEquals(2, holder.signIns());
    }

    @Test
    void aFailedRenewalKeepsTheValidTokenAndRetriesAfterRetryAfter() {
        answers.add(token("first", 900));
        holder.token();
        advance(Duration.ofSeconds(720));
        // The renewal fails (503, Retry-After: 2): the token still has three minutes.
        assertEquals("first", holder.token());
        assertEquals(2, calls.get());
        advance(Duration.ofSeconds(1));
        assertEquals("first", holder.token(), "no new attempt before Retry-After");
        assertEquals(2, calls.get());
        answers.add(token("second", 900));
        advance(Duration.ofSeconds(1));
        assertEquals("second", holder.token(), "tried again after Retry-After");
        assertEquals(3, calls.get());
    }

    @Test
    void withoutAnyTokenASignInIsTriedAtTheRetryPaceOnly() {
        assertNull(holder.token(), "never signed in: no token to send");
        assertNull(holder.token());
        assertEquals(1, calls.get(), "the second caller does not sign in again before Retry-After");
        answers.add(token("late", 900));
        advance(Duration.ofSeconds(2));
        assertEquals("late", holder.token());
    }

    @Test
    void anExpiredTokenIsNeverHandedOutWhileASignInCanBeTried() {
        answers.add(token("short", 10));
        answers.add(token("next", 900));
        assertEquals("short", holder.token());
        advance(Duration.ofSeconds(11));
        assertEquals("next", holder.token());
    }

    @Test
    void otherCallersUseTheValidTokenWhileOneRenews() throws Exception {
        CountDownLatch renewing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger signIns = new AtomicInteger();
        TokenHolder slow = new TokenHolder(() -> {
            if (signIns.incrementAndGet() == 2) {
                renewing.countDown();
                try {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return token("second", 900);
            }
            return token("first", 900);
        }, clock::get);
        assertEquals("first", slow.token());
        advance(Duration.ofSeconds(800));
        Thread renewer = Thread.ofVirtual().start(slow::token);
        assertTrue(renewing.await(10, TimeUnit.SECONDS), "the renewal started");
        assertEquals("first", slow.token(), "a second caller does not wait for the renewal");
        release.countDown();
        renewer.join(10_000);
        assertEquals("second", slow.token());
        assertEquals(2, signIns.get());
    }
}
