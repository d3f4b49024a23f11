package io.meshshop.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resources a service ships in its own jar (or classes folder), read from there: its
 * {@code application.yaml} and {@code META-INF/openapi.yaml}. Every service's jar holds a file of each name,
 * and a class path answers the first of them to everyone; a test that runs several services in one JVM (order's
 * tests run user and payment too) gives each service its own this way. Migrations need nothing of the kind:
 * each service names its own folder ({@code db.migrations}).
 */
public final class ShippedResources {

    private ShippedResources() {
    }

    /** {@code name} in the jar or classes folder that holds {@code main}. */
    public static URL of(Class<?> main, String name) {
        String home = main.getProtectionDomain().getCodeSource().getLocation().toString();
        String address = home.endsWith(".jar") ? "jar:" + home + "!/" + name : home + name;
        try {
            URL url = URI.create(address).toURL();
            try (InputStream probe = url.openStream()) {
                return url;
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException("No URL for " + address, e);
        } catch (IOException e) {
            throw new IllegalStateException(main.getName() + "'s jar has no " + name + " (" + address + ")", e);
        }
    }

    /**
     * A copy of the OpenAPI document of {@code main}'s jar as a file, for {@code openapi.static-file}: Helidon
     * reads that setting as a file path first, and else looks the name up on the class path (the first jar's).
     */
    public static String openApiFile(Class<?> main) {
        URL document = of(main, "META-INF/openapi.yaml");
        try (InputStream in = document.openStream()) {
            Path file = Files.createTempFile(main.getPackageName() + "-openapi-", ".yaml");
            file.toFile().deleteOnExit();
            Files.write(file, in.readAllBytes());
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy " + document, e);
        }
    }
}
