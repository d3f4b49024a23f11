package io.meshshop.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.fail;

/** Where things are: the repository, the service jars, a fresh scratch directory per use. */
final class Repo {

    /** Set by surefire (pom.xml); falls back to the module's parent when run from an IDE. */
    static final Path ROOT = Path.of(System.getProperty("meshshop.root", "..")).toAbsolutePath().normalize();

    private static final Path WORK = Path.of(System.getProperty("meshshop.work", "target/system-tests"))
            .toAbsolutePath().normalize();

    private Repo() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    /** services/NAME/target/NAME.jar, which `mvn package` at the root builds; a clear failure when it is not there. */
    static Path serviceJar(String service) {
        Path jar = ROOT.resolve("services").resolve(service).resolve("target").resolve(service + ".jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is missing. The system tests run the packaged services: build them first with"
                    + " `mvn -B package -DskipTests` at the repository root (the root build lists system-tests"
                    + " after the services, so `mvn verify` there does this by itself).");
        }
        return jar;
    }

    /** A new empty directory under target/system-tests, for one process's database, logs or storage. */
    static Path scratch(String name) {
        Path dir = WORK.resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago. Services are started with an explicit port (not 0)
     * so the test knows where to call them without parsing their logs; the race with other processes is
     * accepted, a clash shows as a start-up failure with the port in the log.
     */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
