package io.meshshop.reliability.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/** Answers counted by label (status and problem type, or "no answer (why)"), with their latencies. */
public final class Tally {

    private final Map<String, LongAdder> byLabel = new ConcurrentHashMap<>();
    private final List<Long> millis = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder requests = new LongAdder();

    public void record(Answer answer) {
        requests.increment();
        byLabel.computeIfAbsent(answer.label(), k -> new LongAdder()).increment();
        millis.add(answer.millis());
    }

    public long requests() {
        return requests.sum();
    }

    /** Answers by label, sorted. */
    public Map<String, Long> byLabel() {
        Map<String, Long> sorted = new TreeMap<>();
        byLabel.forEach((label, count) -> sorted.put(label, count.sum()));
        return sorted;
    }

    /** How many answers have a label {@code which} accepts. */
    public long count(Predicate<String> which) {
        long total = 0;
        for (Map.Entry<String, Long> entry : byLabel().entrySet()) {
            if (which.test(entry.getKey())) {
                total += entry.getValue();
            }
        }
        return total;
    }

    public long maxMillis() {
        synchronized (millis) {
            return millis.stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    /** The p-th latency (p in 0..1) in milliseconds. */
    public long percentileMillis(double p) {
        List<Long> copy;
        synchronized (millis) {
            copy = new ArrayList<>(millis);
        }
        if (copy.isEmpty()) {
            return 0;
        }
        Collections.sort(copy);
        return copy.get(Math.max(0, Math.min(copy.size() - 1, (int) Math.ceil(p * copy.size()) - 1)));
    }
}
