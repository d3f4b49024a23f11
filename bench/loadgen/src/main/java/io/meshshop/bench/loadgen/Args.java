package io.meshshop.bench.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options: {@code --name value} pairs, a name given more than once keeps every value
 * ({@code --env A=1 --env B=2}), and everything after a bare {@code --} is a command to run (start-up timer).
 * Every option read is remembered, so that a misspelt option fails the run instead of being ignored.
 */
final class Args {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> command = new ArrayList<>();
    private final Set<String> read = new HashSet<>();

    Args(String[] argv, int from) {
        for (int i = from; i < argv.length; i++) {
            String arg = argv[i];
            if (arg.equals("--")) {
                command.addAll(List.of(argv).subList(i + 1, argv.length));
                return;
            }
            if (!arg.startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --name value, got '" + arg + "'");
            }
            options.computeIfAbsent(arg.substring(2), k -> new ArrayList<>()).add(argv[++i]);
        }
    }

    String string(String name, String fallback) {
        read.add(name);
        List<String> values = options.get(name);
        return values == null ? fallback : values.getLast();
    }

    String required(String name) {
        String value = string(name, null);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    List<String> all(String name) {
        read.add(name);
        return options.getOrDefault(name, List.of());
    }

    int integer(String name, int fallback) {
        String value = string(name, null);
        return value == null ? fallback : Integer.parseInt(value);
    }

    double number(String name, double fallback) {
        String value = string(name, null);
        return value == null ? fallback : Double.parseDouble(value);
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(string(name, "false"));
    }

    Duration duration(String name, String fallback) {
        return parseDuration(string(name, fallback));
    }

    List<String> command() {
        return command;
    }

    /** Fails on any option that no code asked for: a typo must not silently run a different benchmark. */
    void rejectUnknown() {
        Set<String> unknown = new HashSet<>(options.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown options: --" + String.join(", --", unknown));
        }
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 3h}; a bare number is seconds. */
    static Duration parseDuration(String text) {
        String t = text.trim();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("h")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
        }
        if (t.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
    }
}
