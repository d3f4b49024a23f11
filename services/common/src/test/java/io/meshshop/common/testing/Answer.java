package io.meshshop.common.testing;

import java.io.StringReader;
import java.net.http.HttpResponse;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/** One HTTP answer as the tests look at it. */
public record Answer(int status, String contentType, HttpResponse<String> raw) {

    public static Answer of(HttpResponse<String> response) {
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response);
    }

    public JsonObject json() {
        try (var reader = Json.createReader(new StringReader(raw.body()))) {
            return reader.readObject();
        }
    }

    public String header(String name) {
        return raw.headers().firstValue(name).orElse(null);
    }

    public String problemType() {
        return json().getString("type").replace("https://meshshop.dev/problems/", "");
    }

    /** The request and the answer, for assertion messages: {@code POST /api/orders -> 422 {"type":...}}. */
    @Override
    public String toString() {
        String body = raw.body();
        return raw.request().method() + " " + raw.uri().getRawPath() + " -> " + status + " "
               + (body.length() > 500 ? body.substring(0, 500) + "..." : body);
    }
}
