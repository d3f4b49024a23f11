package io.meshshop.common.http;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;

/**
 * Work a server does on its own, every {@code interval}, exactly while it runs: it starts when the server
 * starts and stops when it stops (a routing feature's lifecycle), so a test that stops a server stops its
 * task too. Register it with {@code routing.addFeature(PeriodicTask.every(...))}.
 *
 * <p>A run that fails is logged and the next run comes at its time: the task is for work that is safe to
 * repeat and that nothing waits for (order's recovery of unsettled orders).
 */
public final class PeriodicTask implements HttpFeature {

    private static final System.Logger LOG = System.getLogger(PeriodicTask.class.getName());

    private final String name;
    private final Duration interval;
    private final Runnable work;
    private ScheduledExecutorService timer;

    private PeriodicTask(String name, Duration interval, Runnable work) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(name + ": the interval must be positive, not " + interval);
        }
        this.name = name;
        this.interval = interval;
        this.work = work;
    }

    /** Runs {@code work} every {@code interval} on a thread called {@code name}, the first run one interval after start. */
    public static PeriodicTask every(String name, Duration interval, Runnable work) {
        return new PeriodicTask(name, interval, work);
    }

    @Override
    public void setup(HttpRouting.Builder routing) {
        // No routes: only the server's lifecycle.
    }

    @Override
    public synchronized void beforeStart() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name).daemon().factory());
        long every = interval.toMillis();
        timer.scheduleWithFixedDelay(this::runOnce, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void afterStop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private void runOnce() {
        try {
            work.run();
        } catch (RuntimeException e) {
            // The database or a dependency is in trouble; the next run tries again, nothing is lost meanwhile.
            LOG.log(System.Logger.Level.WARNING, name + " failed; it runs again in " + interval, e);
        }
    }
}
