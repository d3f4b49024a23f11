package io.meshshop.reliability.proxy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One fault the proxy injects into every {@code every}-th request it applies to. Deterministic on purpose
 * (a counter, not a coin): a failing run can be repeated.
 */
public final class Fault {

    public enum Kind {
        /** Deliver the request upstream twice, one after the other; the caller gets the second answer. */
        DUPLICATE,
        /** Deliver two copies at once; the caller gets the second copy's answer. */
        DUPLICATE_CONCURRENT,
        /** Deliver, let the upstream commit and answer, then reset the caller's connection instead. */
        RESET_AFTER_COMMIT,
        /** Hold the request for {@code delay} before delivering it (latency, or a stall when long). */
        DELAY_REQUEST,
        /** Deliver at once, then hold the upstream's answer for {@code delay} (committed, slow to tell). */
        HOLD_RESPONSE
    }

    private final Kind kind;
    private final int every;
    private final boolean mutatingOnly;
    private final Duration delay;
    private final boolean firstAttemptOnly;
    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();

    private Fault(Kind kind, int every, boolean mutatingOnly, Duration delay, boolean firstAttemptOnly) {
        this.kind = kind;
        this.every = Math.max(1, every);
        this.mutatingOnly = mutatingOnly;
        this.delay = delay;
        this.firstAttemptOnly = firstAttemptOnly;
    }

    /** Every mutating request, delivered twice in sequence. */
    public static Fault duplicateEveryWrite() {
        return new Fault(Kind.DUPLICATE, 1, true, Duration.ZERO, false);
    }

    /** Every mutating request, two copies at once. */
    public static Fault duplicateConcurrently(int every) {
        return new Fault(Kind.DUPLICATE_CONCURRENT, every, true, Duration.ZERO, false);
    }

    /**
     * Every {@code every}-th mutating request is committed upstream and its answer replaced by a reset. Only
     * the first attempt: an Envoy retry of the same request passes, as it would over a healthy connection.
     */
    public static Fault resetAfterCommit(int every) {
        return new Fault(Kind.RESET_AFTER_COMMIT, every, true, Duration.ZERO, true);
    }

    /** Every {@code every}-th request (of any method) is held {@code delay} before it is delivered. */
    public static Fault delayRequests(int every, Duration delay) {
        return new Fault(Kind.DELAY_REQUEST, every, false, delay, false);
    }

    /** Every {@code every}-th mutating request is delivered at once and its answer held {@code delay}. */
    public static Fault holdResponses(int every, Duration delay) {
        return new Fault(Kind.HOLD_RESPONSE, every, true, delay, true);
    }

    public Kind kind() {
        return kind;
    }

    public Duration delay() {
        return delay;
    }

    /** True if this fault hits the request; counts it. Called once per request (first attempt). */
    boolean hits(HttpMessage request) {
        if (mutatingOnly && !request.mutating()) {
            return false;
        }
        if (seen.incrementAndGet() % every != 0) {
            return false;
        }
        injected.incrementAndGet();
        return true;
    }

    boolean appliesToRetries() {
        return !firstAttemptOnly;
    }

    /** How many requests this fault hit so far. */
    public long injected() {
        return injected.get();
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case DUPLICATE -> "duplicate delivery";
            case DUPLICATE_CONCURRENT -> "concurrent duplicate delivery";
            case RESET_AFTER_COMMIT -> "reset after commit";
            case DELAY_REQUEST -> "request delayed " + delay.toMillis() + " ms";
            case HOLD_RESPONSE -> "answer held " + delay.toMillis() + " ms";
        };
        return what + (every == 1 ? " of every " : " of every " + every + ". ")
               + (mutatingOnly ? "write" : "request");
    }
}
