package io.meshshop.order.clients;

import java.time.Duration;
import java.util.Optional;

import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.observe.ClientTracing;

import io.helidon.config.Config;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;

/**
 * What the clients of user and payment share: a WebClient for one base URL with short timeouts, and the
 * reading of its answers. The client fails fast and never repeats a call: retries, timeouts per try and
 * outlier ejection are the mesh's (see mesh/*-timeouts-and-retries.yaml), and a second layer of them here
 * would multiply the load on a service that is already in trouble.
 */
final class Dependency {

    private Dependency() {
    }

    /**
     * Reads {@code url}, {@code timeout.connect} (default 1 s), {@code timeout.read} (default 3 s) and
     * {@code keep-alive} (default false).
     *
     * <p>Keep-alive is off by default because Helidon 4.1.2's connection cache cannot reuse a connection
     * safely: a connection idle for about the read timeout fails its next call. A fresh connection per call
     * costs CPU (see bench/README.md), never a failed call. Why, the upstream issues, and when this can go:
     * docs/helidon-workarounds.md#webclient-keep-alive.
     */
    static WebClient client(Config service) {
        return WebClient.builder()
                .baseUri(service.get("url").asString().get())
                .connectTimeout(service.get("timeout.connect").as(Duration.class).orElse(Duration.ofSeconds(1)))
                .readTimeout(service.get("timeout.read").as(Duration.class).orElse(Duration.ofSeconds(3)))
                .followRedirects(false)
                .keepAlive(service.get("keep-alive").asBoolean().orElse(false))
                // The sidecar intercepts plain connections; an HTTP proxy from the environment must not.
                .proxy(Proxy.noProxy())
                // Tracing is added here, explicitly, rather than found on the class path.
                .servicesDiscoverServices(false)
                .addService(ClientTracing.create())
                .build();
    }

    /** One answer: its status and its body if the body is a JSON object (problem documents included). */
    record Answer(int status, Optional<JsonObject> json) {

        static Answer read(HttpClientResponse response) {
            int status = response.status().code();
            String body = response.as(String.class);
            try {
                return new Answer(status, Optional.of(JsonFactories.readObject(body)));
            } catch (JsonException | IllegalStateException e) {
                return new Answer(status, Optional.empty());
            }
        }

        /** A string member of the body, if there is one. */
        Optional<String> string(String name) {
            return json.filter(j -> j.get(name) instanceof jakarta.json.JsonString)
                    .map(j -> j.getString(name));
        }

        /** The slug of a problem document's type, empty for other bodies. */
        String problemType() {
            return string("type")
                    .map(type -> type.substring(type.lastIndexOf('/') + 1))
                    .orElse("");
        }
    }
}
