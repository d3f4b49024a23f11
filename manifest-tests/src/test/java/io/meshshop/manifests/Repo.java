package io.meshshop.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/** Paths into the repository this module sits in, and the files the tests read from it. */
final class Repo {

    /** The services of the contract; every list of per-service things is checked against it. */
    static final List<String> SERVICES = List.of("user", "order", "payment", "storefront");

    /** The services with a database of their own (the storefront has none). */
    static final List<String> SERVICES_WITH_DATABASE = List.of("user", "order", "payment");

    static final String NAMESPACE = "meshshop";

    private static final Path ROOT = findRoot();

    private Repo() {
    }

    static Path root() {
        return ROOT;
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    /** Scratch space under this module's target/, for kustomize variants. */
    static Path scratch(String name) {
        Path dir = ROOT.resolve("manifest-tests/target/manifest-scratch").resolve(name);
        try {
            deleteTree(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * A file the tests need. A missing one fails the test (never skips it): the service files
     * (application.yaml, openapi.yaml) are part of the contract these manifests are checked against.
     */
    static String read(String relative) {
        Path file = ROOT.resolve(relative);
        if (!Files.isRegularFile(file)) {
            fail(relative + " does not exist (yet): the manifests are checked against it, so this test fails until it does");
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every *.yaml and *.yml file under a directory, as paths relative to the repository root. */
    static List<String> yamlFilesUnder(String relativeDir) {
        try (Stream<Path> files = Files.walk(ROOT.resolve(relativeDir))) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .map(f -> ROOT.relativize(f).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Path findRoot() {
        // Surefire runs with the module directory as working directory; walk up to the directory
        // that has both the root pom and k8s/, so the tests also run from elsewhere.
        Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("k8s"))) {
                return p;
            }
        }
        throw new IllegalStateException("No repository root (pom.xml beside k8s/) above " + dir);
    }
}
