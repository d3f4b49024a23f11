package io.meshshop.storefront.web;

import java.util.Locale;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Writes a file: its validator, the gzip copy when the browser takes gzip, and 304 when it is unchanged. */
final class AssetResponses {

    private static final HeaderName VARY = HeaderNames.VARY;

    private AssetResponses() {
    }

    static void send(ServerRequest req, ServerResponse res, Assets.Asset asset, Status status, String cacheControl) {
        res.header(HeaderNames.CACHE_CONTROL, cacheControl);
        res.header(HeaderNames.ETAG, asset.etag());
        if (asset.gzipped().isPresent()) {
            res.header(VARY, "Accept-Encoding");
        }
        if (status == Status.OK_200 && unchanged(req, asset)) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, asset.mediaType());
        if (asset.gzipped().isPresent() && acceptsGzip(req)) {
            res.header(HeaderNames.CONTENT_ENCODING, "gzip");
            res.send(asset.gzipped().get());
        } else {
            res.send(asset.bytes());
        }
    }

    private static boolean unchanged(ServerRequest req, Assets.Asset asset) {
        return req.headers().contains(HeaderNames.IF_NONE_MATCH)
               && req.headers().get(HeaderNames.IF_NONE_MATCH).allValues(true).stream()
                       .map(String::strip)
                       .anyMatch(tag -> tag.equals(asset.etag()) || tag.equals("W/" + asset.etag()) || tag.equals("*"));
    }

    /** {@code gzip} listed in Accept-Encoding without {@code q=0} (RFC 9110 12.5.3). */
    static boolean acceptsGzip(ServerRequest req) {
        if (!req.headers().contains(HeaderNames.ACCEPT_ENCODING)) {
            return false;
        }
        for (String coding : req.headers().get(HeaderNames.ACCEPT_ENCODING).allValues(true)) {
            String[] parts = coding.split(";");
            if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("gzip")) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
                if (parameter.matches("q=0(\\.0{0,3})?")) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
