package io.meshshop.reliability.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples, every {@code period}, what would pile up if something leaked or waited too long: each
 * instance's resident memory, OS threads and open file descriptors, and the sessions each database has.
 */
public final class Sampler {

    /** One sample of one instance (values -1 when the process was gone). */
    public record Sample(long atMillis, String instance, long rssKb, long threads, long fds, int dbSessions) {
    }

    private final List<ServiceProcess> processes;
    private final Map<String, String> databaseOf;
    private final Postgres postgres;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final long start = System.nanoTime();
    private Thread thread;

    /**
     * @param databaseOf instance name -> its database, for the sessions column (instances of one service
     *                   share a database, so their sessions are counted together)
     */
    public Sampler(List<ServiceProcess> processes, Map<String, String> databaseOf, Postgres postgres) {
        this.processes = List.copyOf(processes);
        this.databaseOf = new LinkedHashMap<>(databaseOf);
        this.postgres = postgres;
    }

    public Sampler start(Duration period) {
        thread = Thread.ofPlatform().name("sampler").daemon().start(() -> {
            while (!stopped.get()) {
                sampleNow();
                try {
                    Thread.sleep(period.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return this;
    }

    public void sampleNow() {
        long at = (System.nanoTime() - start) / 1_000_000;
        Map<String, Integer> sessions = new LinkedHashMap<>();
        for (String database : new LinkedHashMap<>(databaseOf).values()) {
            sessions.computeIfAbsent(database, postgres::connections);
        }
        for (ServiceProcess process : processes) {
            String database = databaseOf.get(process.instance());
            samples.add(new Sample(at, process.instance(), process.rssKb(), process.threads(), process.fds(),
                    database == null ? -1 : sessions.get(database)));
        }
    }

    public void stop() {
        stopped.set(true);
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public List<Sample> samples(String instance) {
        List<Sample> mine = new ArrayList<>();
        for (Sample sample : samples) {
            if (sample.instance().equals(instance) && sample.rssKb() >= 0) {
                mine.add(sample);
            }
        }
        return mine;
    }

    /** The samples of {@code instance} taken between {@code fromMillis} and {@code toMillis}. */
    public List<Sample> samples(String instance, long fromMillis, long toMillis) {
        List<Sample> window = new ArrayList<>();
        for (Sample sample : samples(instance)) {
            if (sample.atMillis() >= fromMillis && sample.atMillis() <= toMillis) {
                window.add(sample);
            }
        }
        return window;
    }

    public long elapsedMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Max of a column over samples, e.g. {@code max(samples, Sample::threads)}. */
    public static long max(List<Sample> samples, java.util.function.ToLongFunction<Sample> column) {
        return samples.stream().mapToLong(column).max().orElse(-1);
    }

    public static double average(List<Sample> samples, java.util.function.ToLongFunction<Sample> column) {
        return samples.stream().mapToLong(column).average().orElse(-1);
    }
}
