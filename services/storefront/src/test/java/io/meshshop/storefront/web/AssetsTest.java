package io.meshshop.storefront.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssetsTest {

    private static final String PAGE = "<link rel=\"stylesheet\" href=\"/assets/app.css\"><script type=\"module\" src=\"/assets/main.js\"></script>";

    private static Map<String, byte[]> files(String... nameThenContent) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            files.put(nameThenContent[i], nameThenContent[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    private static String text(Assets.Asset asset) {
        return new String(asset.bytes(), StandardCharsets.UTF_8);
    }

    private static Assets.Asset named(Assets assets, String prefix) {
        return assets.all().values().stream().filter(a -> a.name().startsWith(prefix + "."))
                .findFirst().orElseThrow(() -> new AssertionError("no asset named " + prefix + ".*"));
    }

    @Test
    void namesCarryTheHashOfTheRewrittenContentAndReferencesFollow() {
        Assets assets = Assets.of(PAGE.getBytes(StandardCharsets.UTF_8), files(
                "main.js", "import { a } from './a.js';\nimport './b.js';",
                "a.js", "export const a = 1;",
                "b.js", "export {};",
                "app.css", "body { background: url(./dot.svg); }",
                "dot.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
        Assets.Asset a = named(assets, "a");
        Assets.Asset main = named(assets, "main");
        assertTrue(a.name().matches("a\\.[0-9a-f]{12}\\.js"), "hashed name: " + a.name());
        assertEquals(Assets.hashedName("a.js", a.bytes()), a.name(), "the hash is the content's");
        assertTrue(text(main).contains("from './" + a.name() + "'"), "import rewritten: " + text(main));
        assertTrue(text(main).contains("import './" + named(assets, "b").name() + "'"), "bare import rewritten: " + text(main));
        assertTrue(text(named(assets, "app")).contains("url(./" + named(assets, "dot").name() + ")"),
                "CSS url() rewritten: " + text(named(assets, "app")));
        String page = new String(assets.page().bytes(), StandardCharsets.UTF_8);
        assertTrue(page.contains("src=\"/assets/" + main.name() + "\""), "page references the hashed main: " + page);
        assertTrue(page.contains("href=\"/assets/" + named(assets, "app").name() + "\""), "page references the hashed CSS: " + page);
    }

    @Test
    void aChangedModuleRenamesEveryModuleThatImportsIt() {
        Assets before = Assets.of(PAGE.getBytes(StandardCharsets.UTF_8), files(
                "main.js", "import { a } from './a.js';", "a.js", "export const a = 1;", "app.css", "p{}"));
        Assets after = Assets.of(PAGE.getBytes(StandardCharsets.UTF_8), files(
                "main.js", "import { a } from './a.js';", "a.js", "export const a = 2;", "app.css", "p{}"));
        assertNotEquals(named(before, "a").name(), named(after, "a").name(), "changed module, new name");
        assertNotEquals(named(before, "main").name(), named(after, "main").name(), "its importer, new name");
        assertEquals(named(before, "app").name(), named(after, "app").name(), "an unrelated file keeps its name");
        assertNotEquals(before.page().etag(), after.page().etag(), "and the page changed with them");
    }

    @Test
    void aReferenceToAMissingFileStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Assets.of(
                PAGE.getBytes(StandardCharsets.UTF_8), files("main.js", "import './gone.js';", "app.css", "")));
        assertTrue(e.getMessage().contains("gone.js"), "names the missing file: " + e.getMessage());
        assertThrows(IllegalStateException.class, () -> Assets.of(PAGE.getBytes(StandardCharsets.UTF_8),
                files("main.js", "", "other.css", "")), "the page's own missing reference (app.css) too");
    }

    @Test
    void aCycleStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Assets.of(
                PAGE.getBytes(StandardCharsets.UTF_8),
                files("main.js", "import './a.js';", "a.js", "import './main.js';", "app.css", "")));
        assertTrue(e.getMessage().contains("cycle"), "says why: " + e.getMessage());
    }

    @Test
    void textWorthCompressingHasAGzipCopyOfTheSameBytes() throws IOException {
        String big = "export const words = '" + "mesh ".repeat(400) + "';";
        Assets assets = Assets.of(PAGE.getBytes(StandardCharsets.UTF_8),
                files("main.js", big, "app.css", "p{}"));
        Assets.Asset main = named(assets, "main");
        assertTrue(main.gzipped().isPresent(), "a 2 KB module is compressed");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(main.gzipped().get()))) {
            assertArrayEquals(main.bytes(), in.readAllBytes(), "gzip copy decompresses to the asset");
        }
        assertTrue(named(assets, "app").gzipped().isEmpty(), "a tiny file is sent as it is");
    }

    @Test
    void theShippedFilesLoadFromTheClassPath() {
        Assets assets = Assets.load("web");
        String page = new String(assets.page().bytes(), StandardCharsets.UTF_8);
        for (String source : new String[] {"main", "app", "api", "view-cart", "view-order"}) {
            Assets.Asset asset = named(assets, source);
            assertTrue(page.contains("/assets/" + asset.name()), "the page references " + asset.name());
        }
    }
}
