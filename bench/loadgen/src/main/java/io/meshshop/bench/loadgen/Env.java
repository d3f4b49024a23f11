package io.meshshop.bench.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/** The machine a run was measured on: the figures mean nothing without it. */
final class Env {

    private Env() {
    }

    static JsonObject describe(String command, String git, String note, String jvmOptions) {
        return Json.createObjectBuilder()
                .add("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .add("cpuModel", cpuModel())
                .add("cores", Runtime.getRuntime().availableProcessors())
                .add("memTotalMiB", memTotalMiB())
                .add("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .add("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"))
                .add("loadAverage", Procfs.loadAverage())
                .add("command", command)
                .add("git", git)
                .add("note", note)
                .add("jvmOptions", jvmOptions)
                .build();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown";
    }

    private static long memTotalMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
