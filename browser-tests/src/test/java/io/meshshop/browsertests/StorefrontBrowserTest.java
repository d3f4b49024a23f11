package io.meshshop.browsertests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The storefront as a person uses it, in Debian's Chromium: the Node suite in src/test/node (playwright-core
 * drives the browser, axe-core checks every page state) against the real services, started here. The suite
 * reports each flow by name; this test fails with its output when any flow fails.
 */
class StorefrontBrowserTest {

    /** Debian's package, which scripts/test.sh installs; Playwright never downloads a browser here. */
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final long SUITE_TIMEOUT_MINUTES = 10;

    @BeforeAll
    static void nodePackages() throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: install Debian's chromium package"
                + " (scripts/test.sh does, as root: apt-get install -y chromium).");
        if (Files.isRegularFile(Repo.MODULE.resolve("node_modules/playwright-core/package.json"))
            && Files.isRegularFile(Repo.MODULE.resolve("node_modules/axe-core/axe.min.js"))) {
            return;
        }
        // scripts/test.sh runs this before Maven; here for a plain `mvn verify` on a fresh clone.
        Path log = Files.createDirectories(Repo.WORK).resolve("npm-ci.log");
        ProcessBuilder install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(Repo.MODULE.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        install.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Process npm = install.start();
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            fail("npm ci in " + Repo.MODULE + " failed:\n" + Files.readString(log));
        }
    }

    @Test
    void aPersonCanShopSignUpCheckOutFollowAndCancelOrders() throws IOException, InterruptedException {
        Path work = Files.createDirectories(Repo.WORK.resolve("run-" + System.currentTimeMillis()));
        Path screenshots = Files.createDirectories(Repo.MODULE.resolve("target").resolve("screenshots"));
        try (Shop shop = Shop.start(work); ControlServer control = ControlServer.start(shop)) {
            Path output = work.resolve("node-suite.log");
            ProcessBuilder suite = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec",
                    "src/test/node/storefront.test.mjs"))
                    .directory(Repo.MODULE.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> env = suite.environment();
            env.put("STOREFRONT_URL", shop.storefrontUrl());
            env.put("CONTROL_URL", control.url());
            env.put("SCREENSHOTS", screenshots.toString());
            env.put("CHROMIUM", CHROMIUM.toString());
            env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            Process node = suite.start();
            boolean ended = node.waitFor(SUITE_TIMEOUT_MINUTES, TimeUnit.MINUTES);
            if (!ended) {
                node.descendants().forEach(ProcessHandle::destroyForcibly);
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String report = Files.readString(output);
            System.out.println(report);
            assertTrue(ended, "the browser suite did not end within " + SUITE_TIMEOUT_MINUTES + " minutes:\n"
                              + report + shop.logTails());
            assertEquals(0, node.exitValue(), "the browser suite failed (output above and here):\n" + report
                                              + "\nThe services' logs end with:" + shop.logTails());
        }
    }
}
