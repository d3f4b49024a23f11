package io.meshshop.reliability.load;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import jakarta.json.JsonNumber;

/**
 * One customer's access token, as a careful client keeps it: signed in on first use, signed in again once
 * {@link #RENEW_AT} of the token's {@code expiresIn} has passed, so that no call ever goes out with a token
 * about to expire (tokens last 15 minutes; the soak and the benchmark run longer).
 *
 * <p>While one caller renews, the others go on with the current token as long as it is still valid: a
 * sign-in (an Argon2id hash at the user service) must not stall every client of the customer. A sign-in that
 * fails (user down, 503) keeps the current token and is tried again at the earliest after a second, or after
 * the answer's Retry-After; only a caller without any valid token waits for the sign-in, and between two
 * tries such a caller gets the expired token (its call is then answered 401, which the suites count).
 */
public final class TokenHolder {

    /** Sign in again after this share of the token's lifetime. */
    public static final double RENEW_AT = 0.8;
    private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();

    private final Supplier<Answer> signIn;
    private final LongSupplier nanoClock;
    private final ReentrantLock renewing = new ReentrantLock();
    private final AtomicInteger signIns = new AtomicInteger();
    private volatile String token;
    private volatile long renewAt;
    private volatile long expiresAt;
    private volatile long nextAttempt;

    /**
     * @param signIn    one {@code POST /api/sessions} for the customer
     * @param nanoClock {@link System#nanoTime()} but in tests
     */
    public TokenHolder(Supplier<Answer> signIn, LongSupplier nanoClock) {
        this.signIn = signIn;
        this.nanoClock = nanoClock;
    }

    /**
     * The token to send now; null only while the customer never managed to sign in (the call then goes
     * without one and is answered 401, which the suites count as a failure).
     */
    public String token() {
        long now = nanoClock.getAsLong();
        String current = token;
        if (current != null && now < renewAt) {
            return current;
        }
        if (current != null && now < expiresAt) {
            // Someone else renews, or a failed sign-in waits for its retry: the token still serves meanwhile.
            if (now < nextAttempt || !renewing.tryLock()) {
                return current;
            }
        } else {
            renewing.lock();
        }
        try {
            now = nanoClock.getAsLong();
            if (token != null && now < renewAt) {
                // Renewed by another caller while this one waited.
                return token;
            }
            // Without a valid token the caller cannot do better than a sign-in now, but not more often than
            // the retry pace: a down user service must not get a storm of sign-ins from every client.
            if (now >= nextAttempt) {
                signInNow(now);
            }
            return token;
        } finally {
            renewing.unlock();
        }
    }

    /** Sign-ins so far, answered 200 or not. */
    public int signIns() {
        return signIns.get();
    }

    private void signInNow(long sentAt) {
        signIns.incrementAndGet();
        Answer answer = signIn.get();
        String accessToken = answer.status() == 200 ? answer.string("accessToken").orElse(null) : null;
        long lifeSeconds = answer.json() != null && answer.json().get("expiresIn") instanceof JsonNumber n ? n.longValue() : 0;
        if (accessToken != null && lifeSeconds > 0) {
            // Counted from when the request was sent: the token cannot have been issued earlier.
            long life = Duration.ofSeconds(lifeSeconds).toNanos();
            token = accessToken;
            expiresAt = sentAt + life;
            renewAt = sentAt + (long) (life * RENEW_AT);
            nextAttempt = renewAt;
            return;
        }
        long wait = RETRY_NANOS;
        if (answer.retryAfter() != null) {
            try {
                wait = Math.max(wait, Duration.ofSeconds(Long.parseLong(answer.retryAfter().trim())).toNanos());
            } catch (NumberFormatException e) {
                // An HTTP date or garbage: a second it is.
            }
        }
        nextAttempt = nanoClock.getAsLong() + wait;
    }
}
