package io.meshshop.user.auth;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/**
 * Bounds how many password hashes run at once. Each takes about 20 MiB of heap and tens of milliseconds of
 * a core, and the pods run with a 64 MiB heap: a burst of sign-ins must wait for a slot, and when none frees
 * within a short wait it is answered {@code 503} with {@code Retry-After}, an honest "overloaded", never an
 * {@link OutOfMemoryError}. Slots are first come, first served.
 */
public final class HashingSlots {

    /** The service has more password checks to do than it can hold in memory; try again shortly. */
    public static final ProblemType OVERLOADED = new ProblemType("overloaded", "The service is overloaded", 503);
    static final int RETRY_AFTER_SECONDS = 1;

    private final Semaphore slots;
    private final int size;
    private final Duration maxWait;

    public HashingSlots(int size, Duration maxWait) {
        if (size < 1) {
            throw new IllegalArgumentException("At least one hashing slot is needed, not " + size);
        }
        this.slots = new Semaphore(size, true);
        this.size = size;
        this.maxWait = maxWait;
    }

    /**
     * As many slots as there are processors (a hash keeps a core busy), but only as many as half the heap
     * holds, and at least one: one on the pods' 64 MiB heap.
     */
    public static int automatic(long heapBytesPerHash) {
        long byMemory = Runtime.getRuntime().maxMemory() / 2 / heapBytesPerHash;
        return (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), byMemory));
    }

    public int size() {
        return size;
    }

    /** Runs {@code hash} in a slot, or refuses with 503 when none frees within the wait. */
    public <T> T run(Supplier<T> hash) {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ProblemException(Problem.of(OVERLOADED,
                    "Too many password checks are running; try again after Retry-After seconds"), RETRY_AFTER_SECONDS);
        }
        try {
            return hash.get();
        } finally {
            slots.release();
        }
    }
}
