package io.meshshop.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs a service's set-up with a context class loader that shows it only its own {@code application.yaml},
 * migrations and OpenAPI document. The tests run user, payment and order in one JVM, where all three jars
 * hold those same resource names: Helidon's config and Flyway look them up through the context class
 * loader and would otherwise read the first {@code application.yaml} on the class path and apply every
 * service's {@code V1__} migrations to every database.
 */
public final class OwnResources extends ClassLoader {

    private static final List<String> PER_SERVICE = List.of("application.yaml", "db/migration", "META-INF/openapi.yaml");

    private final String home;

    private OwnResources(Class<?> main) {
        super(main.getClassLoader());
        this.home = main.getProtectionDomain().getCodeSource().getLocation().toString();
    }

    /** Calls {@code setup} with the resources of the service whose main class is {@code main}. */
    public static <T> T of(Class<?> main, Callable<T> setup) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(new OwnResources(main));
        try {
            return setup.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public URL getResource(String name) {
        Enumeration<URL> all = getResources0(name);
        return all.hasMoreElements() ? all.nextElement() : null;
    }

    @Override
    public Enumeration<URL> getResources(String name) {
        return getResources0(name);
    }

    private Enumeration<URL> getResources0(String name) {
        try {
            Enumeration<URL> all = getParent().getResources(name);
            String plain = name.startsWith("/") ? name.substring(1) : name;
            if (PER_SERVICE.stream().noneMatch(plain::startsWith)) {
                return all;
            }
            List<URL> own = Collections.list(all).stream().filter(this::isOwn).toList();
            return Collections.enumeration(own);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean isOwn(URL url) {
        String text = url.toString();
        return text.startsWith(home) || text.startsWith("jar:" + home + "!");
    }
}
