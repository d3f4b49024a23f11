package io.meshshop.browsertests;

import java.nio.file.Path;

/** Where things are; set by surefire (pom.xml), with fallbacks for a run from an IDE. */
final class Repo {

    static final Path ROOT = Path.of(System.getProperty("meshshop.root", "..")).toAbsolutePath().normalize();
    /** This module: its package.json, node_modules and the Node suite. */
    static final Path MODULE = Path.of(System.getProperty("meshshop.browser-tests", ".")).toAbsolutePath().normalize();
    static final Path WORK = Path.of(System.getProperty("meshshop.work", "target/browser-tests")).toAbsolutePath().normalize();

    private Repo() {
    }
}
