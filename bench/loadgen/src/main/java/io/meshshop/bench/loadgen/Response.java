package io.meshshop.bench.loadgen;

import java.nio.charset.StandardCharsets;

/** What the scenarios need of a response: the status, the Location header and the body. */
record Response(int status, String location, byte[] body, boolean keepAlive) {

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The last path segment of Location ({@code /api/orders/ID} gives ID), or null. */
    String locationId() {
        if (location == null) {
            return null;
        }
        int slash = location.lastIndexOf('/');
        return slash < 0 ? location : location.substring(slash + 1);
    }

    /**
     * The first string value of a top-level-looking {@code "name":"value"} pair. The load generator does
     * not parse whole documents on the hot path: it costs CPU that the services under test share.
     */
    String jsonString(String name) {
        String text = bodyText();
        String needle = "\"" + name + "\":\"";
        int at = text.indexOf(needle);
        if (at < 0) {
            needle = "\"" + name + "\" : \"";
            at = text.indexOf(needle);
            if (at < 0) {
                return null;
            }
        }
        int start = at + needle.length();
        int end = text.indexOf('"', start);
        return end < 0 ? null : text.substring(start, end);
    }

    /** The first whole-number value of a {@code "name":123} pair, or -1 when there is none. */
    long jsonLong(String name) {
        String text = bodyText();
        String needle = "\"" + name + "\":";
        int at = text.indexOf(needle);
        if (at < 0) {
            return -1;
        }
        int start = at + needle.length();
        while (start < text.length() && text.charAt(start) == ' ') {
            start++;
        }
        int end = start;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end == start ? -1 : Long.parseLong(text.substring(start, end));
    }
}
