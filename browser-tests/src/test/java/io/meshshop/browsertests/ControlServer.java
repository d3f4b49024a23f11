package io.meshshop.browsertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Lets the Node suite stop and start a service at the moment its scenario needs it (payment stopped while
 * an order is placed): {@code POST /services/NAME/stop} and {@code POST /services/NAME/start}, answered 204
 * once the service is down, or up and ready. On 127.0.0.1 only.
 */
final class ControlServer implements AutoCloseable {

    private static final Pattern PATH = Pattern.compile("/services/([a-z]+)/(stop|start)");

    private final HttpServer server;

    private ControlServer(HttpServer server) {
        this.server = server;
    }

    static ControlServer start(Shop shop) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/services/", exchange -> handle(shop, exchange));
            server.start();
            return new ControlServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void handle(Shop shop, HttpExchange exchange) throws IOException {
        Matcher matcher = PATH.matcher(exchange.getRequestURI().getPath());
        Optional<ServiceProcess> service = matcher.matches() ? shop.service(matcher.group(1)) : Optional.empty();
        if (!"POST".equals(exchange.getRequestMethod()) || service.isEmpty()) {
            answer(exchange, 404, "no such control: " + exchange.getRequestMethod() + " " + exchange.getRequestURI());
            return;
        }
        try {
            if (matcher.group(2).equals("stop")) {
                service.get().stop();
            } else {
                service.get().start();
            }
            answer(exchange, 204, null);
        } catch (RuntimeException | AssertionError e) {
            answer(exchange, 500, e.getMessage());
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
