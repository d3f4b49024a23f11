package io.meshshop.bench.loadgen;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads of Linux's /proc: resident memory and CPU time of a process, and the machine's busy time. Files,
 * not commands: sampling by forking {@code ps} would itself cost CPU on a 2-core machine.
 */
final class Procfs {

    /** USER_HZ: the unit of /proc CPU times; 100 on every Linux x86_64 and arm64 kernel. */
    static final double TICKS_PER_SECOND = 100.0;

    private Procfs() {
    }

    /** VmRSS of a process in KiB, or -1 when it has gone. */
    static long rssKib(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** A {@code kB} field of /proc/PID/status (VmRSS:, RssAnon:, RssFile:, VmHWM:), or -1. */
    static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between two samples
        }
        return -1;
    }

    /** User plus system CPU time of a process, in ticks; -1 when it has gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Sum of {@link #cpuTicks} over every process whose command name is {@code comm} (e.g. postgres). */
    static long cpuTicksOfAll(String comm) {
        long total = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    if (Files.readString(dir.resolve("comm")).trim().equals(comm)) {
                        long ticks = cpuTicks(Long.parseLong(dir.getFileName().toString()));
                        if (ticks > 0) {
                            total += ticks;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone while listing
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    /** The machine's {busy, total} CPU ticks from the first line of /proc/stat (idle and iowait are not busy). */
    static long[] machineTicks() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
