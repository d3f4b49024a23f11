package io.meshshop.storefront;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.testing.TestDatabases;
import io.meshshop.storefront.web.SecurityHeaders;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storefront as it ships (forwarding off, as in the cluster), over real HTTP. */
@ServerTest
class StorefrontServerTest {

    /** The budget for everything the first view loads from the storefront (the catalogue's JSON comes on top). */
    private static final int FIRST_LOAD_BUDGET_BYTES = 150 * 1024;
    private static final Pattern ASSET = Pattern.compile("/assets/([A-Za-z0-9_.-]+)");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final String base;

    StorefrontServerTest(WebServer server) {
        this.base = "http://localhost:" + server.port();
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder server) {
        Main.setupServer(server, TestDatabases.serviceConfig(Map.of()), new GracefulShutdown());
    }

    private HttpResponse<byte[]> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private static void assertSecurityHeaders(HttpResponse<?> response) {
        String what = response.request().uri().getPath() + " (" + response.statusCode() + ")";
        assertEquals(SecurityHeaders.CONTENT_SECURITY_POLICY, header(response, "Content-Security-Policy"), "CSP on " + what);
        assertEquals("nosniff", header(response, "X-Content-Type-Options"), "nosniff on " + what);
        assertEquals("no-referrer", header(response, "Referrer-Policy"), "Referrer-Policy on " + what);
    }

    private String page() {
        return new String(get("/").body(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/cart", "/sign-in", "/sign-up", "/orders", "/orders/0b9f2c1e-8a7d-4c6b-9e5f-3a2b1c0d9e8f"})
    void everyViewIsThePageRevalidatedOnEachLoad(String path) {
        HttpResponse<byte[]> response = get(path);
        assertEquals(200, response.statusCode(), "GET " + path);
        assertEquals("text/html; charset=utf-8", header(response, "Content-Type"), "page type at " + path);
        assertEquals("no-cache", header(response, "Cache-Control"), "the page is revalidated at " + path);
        assertSecurityHeaders(response);
        assertEquals(page(), new String(response.body(), StandardCharsets.UTF_8), "the same page at " + path);
    }

    @Test
    void anUnchangedPageIsA304() {
        String etag = header(get("/"), "ETag");
        HttpResponse<byte[]> again = get("/cart", "If-None-Match", etag);
        assertEquals(304, again.statusCode(), "If-None-Match with the page's ETag");
        assertEquals(0, again.body().length, "no body on 304");
        assertSecurityHeaders(again);
    }

    @Test
    void assetsAreImmutableUnderTheirHashedNamesAndGzippedWhenAsked() throws IOException {
        Matcher matcher = ASSET.matcher(page());
        int assets = 0;
        long transferred = get("/", "Accept-Encoding", "gzip").body().length;
        while (matcher.find()) {
            assets++;
            String path = "/assets/" + matcher.group(1);
            assertTrue(matcher.group(1).matches("[a-z-]+\\.[0-9a-f]{12}\\.(js|css|svg)"), "content-hashed name: " + path);
            HttpResponse<byte[]> plain = get(path);
            assertEquals(200, plain.statusCode(), "GET " + path);
            assertEquals("public, max-age=31536000, immutable", header(plain, "Cache-Control"), "immutable " + path);
            assertSecurityHeaders(plain);
            HttpResponse<byte[]> gzipped = get(path, "Accept-Encoding", "gzip, deflate");
            transferred += gzipped.body().length;
            if ("gzip".equals(header(gzipped, "Content-Encoding"))) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
                    assertArrayEquals(plain.body(), in.readAllBytes(), "gzip of " + path + " is the same file");
                }
                assertEquals("Accept-Encoding", header(gzipped, "Vary"), "Vary on " + path);
            }
        }
        assertTrue(assets >= 10, "the page references its modules, style and icon; found " + assets);
        assertTrue(transferred <= FIRST_LOAD_BUDGET_BYTES,
                "page and assets, gzipped, within 150 KB: " + transferred + " bytes");
        HttpResponse<byte[]> refusesGzip = get(ASSET.matcher(page()).results().findFirst().orElseThrow().group(),
                "Accept-Encoding", "gzip;q=0, identity");
        assertEquals(null, header(refusesGzip, "Content-Encoding"), "gzip;q=0 means no gzip");
    }

    @Test
    void unknownAssetsAndApiPathsAreProblemsAndOtherPathsThePageWith404() {
        HttpResponse<byte[]> asset = get("/assets/main.000000000000.js");
        assertEquals(404, asset.statusCode(), "unknown asset");
        assertEquals("application/problem+json", header(asset, "Content-Type"), "unknown asset is a problem");
        assertSecurityHeaders(asset);
        HttpResponse<byte[]> api = get("/api/products");
        assertEquals(404, api.statusCode(), "no forwarding in the cluster configuration: the ingress routes /api");
        assertEquals("application/problem+json", header(api, "Content-Type"), "an API path is never the page");
        assertSecurityHeaders(api);
        HttpResponse<byte[]> typo = get("/cartt");
        assertEquals(404, typo.statusCode(), "unknown page");
        assertEquals("text/html; charset=utf-8", header(typo, "Content-Type"), "the page says it is not found");
        assertSecurityHeaders(typo);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyDocumentedRouteIsServed() {
        HttpResponse<byte[]> doc = get("/openapi", "Accept", "application/yaml");
        assertEquals(200, doc.statusCode(), "GET /openapi");
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>)
                new org.yaml.snakeyaml.Yaml().<Map<String, Object>>load(new String(doc.body(), StandardCharsets.UTF_8)).get("paths");
        String asset = ASSET.matcher(page()).results().findFirst().orElseThrow().group(1);
        int checked = 0;
        for (Map.Entry<String, Map<String, Object>> path : paths.entrySet()) {
            assertEquals(java.util.Set.of("get"), path.getValue().keySet(), path.getKey() + " is read-only");
            String concrete = path.getKey().replace("{id}", "0b9f2c1e-8a7d-4c6b-9e5f-3a2b1c0d9e8f").replace("{file}", asset);
            assertEquals(200, get(concrete).statusCode(), "GET " + concrete + " (documented as " + path.getKey() + ")");
            checked++;
        }
        assertEquals(7, checked, "the six views and the assets are documented");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/observe/health/live", "/observe/health/ready", "/observe/health/started"})
    void healthAnswers(String path) {
        assertEquals(200, get(path).statusCode(), path);
    }

    @Test
    void metricsCountPagesByRoute() {
        get("/orders/0b9f2c1e-8a7d-4c6b-9e5f-3a2b1c0d9e8f");
        String metrics = new String(get("/observe/metrics", "Accept", "text/plain").body(), StandardCharsets.UTF_8);
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("meshshop_http_server_requests_seconds_count{")
                                                     && line.contains("route=\"/orders/{id}\"")
                                                     && line.contains("status=\"200\"")),
                "the order page is labelled by its template, not its id:\n"
                + metrics.lines().filter(l -> l.startsWith("meshshop_http")).limit(20).toList());
        assertTrue(metrics.lines().noneMatch(line -> line.contains("0b9f2c1e")), "no series per order id");
    }
}
