package io.meshshop.systemtests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs observability/check.sh (promtool check rules, promtool test rules, promtool check config, the
 * cluster config's relabeling, the dashboard expression check), so that the build's test run covers it.
 * The script fails with a clear message when promtool is not installed.
 */
class ObservabilityCheckTest {

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void observabilityCheckPasses() throws IOException, InterruptedException {
        Path log = Repo.scratch("observability-check").resolve("check.log");
        Process process = Processes.track(new ProcessBuilder("bash", Repo.path("observability/check.sh").toString())
                .directory(Repo.ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start());
        try {
            if (!process.waitFor(240, TimeUnit.SECONDS)) {
                fail("observability/check.sh did not finish within 240 s:\n" + Processes.tail(log, 60));
            }
            String output = Processes.tail(log, 200);
            System.out.println(output);
            assertEquals(0, process.exitValue(), "observability/check.sh failed:\n" + output);
        } finally {
            Processes.stop(process);
        }
    }
}
