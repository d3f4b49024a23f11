package io.meshshop.storefront.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The page and its assets, read from the class path at start and given content-hashed names, so that an
 * asset's URL changes exactly when its bytes do and browsers may keep it for a year.
 *
 * <p>Sources live in {@code web/}: the page {@code index.html} and flat files under {@code web/assets/}.
 * A reference is a quoted string or CSS {@code url()} that names an asset as {@code ./NAME} (a module import,
 * a stylesheet's own files) or {@code /assets/NAME} (the page). Each reference is rewritten to the asset's
 * hashed name ({@code main.js} becomes {@code main.0c1d2e3f4a5b.js}), and an asset's hash is taken over its
 * bytes after its own references were rewritten, so a change to a module changes the names of every module
 * that imports it, up to the page. A reference to a file that does not exist, or a cycle of references,
 * stops the start: a page that would load a missing file must not ship.
 */
public final class Assets {

    /** Quote or {@code (}, then {@code ./} or {@code /assets/}, a plain file name, then the closing quote or {@code )}. */
    private static final Pattern REFERENCE =
            Pattern.compile("([\"'(])(\\./|/assets/)([A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*\\.[a-z0-9]+)([\"')])");
    private static final int HASH_HEX_DIGITS = 12;
    /** Below this, gzip's header and the second copy cost more than they save. */
    private static final int COMPRESS_FROM_BYTES = 512;
    private static final Map<String, String> MEDIA_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    private static final Set<String> TEXT = Set.of("html", "js", "css", "svg");

    private final Map<String, Asset> byHashedName;
    private final Asset page;

    private Assets(Map<String, Asset> byHashedName, Asset page) {
        this.byHashedName = Map.copyOf(byHashedName);
        this.page = page;
    }

    /** Reads {@code ROOT/index.html} and {@code ROOT/assets/*} from the class path, from a jar or a folder. */
    public static Assets load(String root) {
        URL index = Assets.class.getClassLoader().getResource(root + "/index.html");
        if (index == null) {
            throw new IllegalStateException(root + "/index.html is not on the class path");
        }
        try {
            URI uri = index.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    return fromFolder(jar.getPath(root));
                }
            }
            return fromFolder(Path.of(uri).getParent());
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("Cannot read the storefront's files under " + root, e);
        }
    }

    /** Reads {@code folder/index.html} and the files of {@code folder/assets}. */
    static Assets fromFolder(Path folder) throws IOException {
        Map<String, byte[]> sources = new TreeMap<>();
        Path assetFolder = folder.resolve("assets");
        if (Files.isDirectory(assetFolder)) {
            try (Stream<Path> files = Files.list(assetFolder)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    sources.put(file.getFileName().toString(), Files.readAllBytes(file));
                }
            }
        }
        return of(Files.readAllBytes(folder.resolve("index.html")), sources);
    }

    /** Hashes and rewrites {@code assets} (file name to bytes) and the page that references them. */
    static Assets of(byte[] indexHtml, Map<String, byte[]> assets) {
        Map<String, String> hashedNames = new LinkedHashMap<>();
        Map<String, Asset> byHashedName = new LinkedHashMap<>();
        for (String name : assets.keySet()) {
            hash(name, assets, hashedNames, byHashedName, new LinkedHashSet<>());
        }
        byte[] page = rewrite("index.html", indexHtml, assets.keySet(), hashedNames);
        return new Assets(byHashedName, Asset.create("index.html", page));
    }

    /** The page, its references rewritten. */
    public Asset page() {
        return page;
    }

    /** The asset under its hashed name. */
    public Optional<Asset> asset(String hashedName) {
        return Optional.ofNullable(byHashedName.get(hashedName));
    }

    /** Every asset by its hashed name. */
    public Map<String, Asset> all() {
        return byHashedName;
    }

    /** Depth first, so that what a file references is named before the file's own hash is taken. */
    private static void hash(String name, Map<String, byte[]> sources, Map<String, String> hashedNames,
                             Map<String, Asset> byHashedName, LinkedHashSet<String> visiting) {
        if (hashedNames.containsKey(name)) {
            return;
        }
        if (!visiting.add(name)) {
            throw new IllegalStateException("Assets reference each other in a cycle: "
                                            + String.join(" -> ", visiting) + " -> " + name);
        }
        byte[] source = sources.get(name);
        for (String referenced : references(name, source, sources.keySet())) {
            hash(referenced, sources, hashedNames, byHashedName, visiting);
        }
        visiting.remove(name);
        byte[] rewritten = rewrite(name, source, sources.keySet(), hashedNames);
        String hashedName = hashedName(name, rewritten);
        hashedNames.put(name, hashedName);
        byHashedName.put(hashedName, Asset.create(hashedName, rewritten));
    }

    private static List<String> references(String name, byte[] source, Set<String> known) {
        List<String> found = new ArrayList<>();
        if (!TEXT.contains(extension(name))) {
            return found;
        }
        Matcher matcher = REFERENCE.matcher(new String(source, StandardCharsets.UTF_8));
        while (matcher.find()) {
            String referenced = matcher.group(3);
            if (!known.contains(referenced)) {
                throw new IllegalStateException(name + " references " + matcher.group(2) + referenced
                                                + ", which is not in assets/");
            }
            found.add(referenced);
        }
        return found;
    }

    private static byte[] rewrite(String name, byte[] source, Set<String> known, Map<String, String> hashedNames) {
        if (!TEXT.contains(extension(name))) {
            return source;
        }
        references(name, source, known);
        Matcher matcher = REFERENCE.matcher(new String(source, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement = matcher.group(1) + matcher.group(2) + hashedNames.get(matcher.group(3)) + matcher.group(4);
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code main.js} to {@code main.<12 hex digits of SHA-256>.js}. */
    static String hashedName(String name, byte[] bytes) {
        int dot = name.lastIndexOf('.');
        return name.substring(0, dot) + "." + sha256(bytes).substring(0, HASH_HEX_DIGITS) + name.substring(dot);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    private static String extension(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /**
     * One file as served: its bytes, a gzip copy when that is worth it, its media type and a strong ETag
     * (the content hash).
     */
    public record Asset(String name, byte[] bytes, Optional<byte[]> gzipped, String mediaType, String etag) {

        static Asset create(String name, byte[] bytes) {
            String extension = extension(name);
            String mediaType = MEDIA_TYPES.get(extension);
            if (mediaType == null) {
                throw new IllegalStateException(name + ": no media type is known for ." + extension);
            }
            Optional<byte[]> gzipped = TEXT.contains(extension) && bytes.length >= COMPRESS_FROM_BYTES
                    ? Optional.of(gzip(bytes)) : Optional.empty();
            return new Asset(name, bytes, gzipped, mediaType, "\"" + sha256(bytes).substring(0, 32) + "\"");
        }

        private static byte[] gzip(byte[] bytes) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
            try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                gzip.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }
}
