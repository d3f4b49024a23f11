package io.meshshop.common.problem;

import java.lang.System.Logger.Level;

import io.meshshop.common.db.DatabaseErrors;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.HttpMediaType;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Every error a service answers is a problem document, including the ones Helidon answers before routing
 * (bad request line, oversized body) and the ones nobody planned for. A mesh ejects pods on 5xx, so a 5xx
 * must only ever mean "this pod or its database is in trouble", never "the client sent nonsense".
 */
public final class Problems {

    private static final System.Logger LOG = System.getLogger(Problems.class.getName());
    private static final HttpMediaType PROBLEM_JSON = HttpMediaType.create(Problem.MEDIA_TYPE);
    /** How long a client should wait after a 503 before it tries again. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private Problems() {
    }

    /** Registers the error handlers on a service's routing. */
    public static void register(HttpRouting.Builder routing) {
        routing.error(ProblemException.class, (req, res, e) -> send(res, e))
                .error(HttpException.class, (req, res, e) -> send(res, fromHttpException(e)))
                .error(Throwable.class, Problems::unexpected);
    }

    /** Handler for a known path asked with a method it does not support. */
    public static io.helidon.webserver.http.Handler methodNotAllowed(String allowed) {
        return (req, res) -> {
            res.header(HeaderNames.ALLOW, allowed);
            send(res, ProblemException.of(ProblemType.METHOD_NOT_ALLOWED,
                    req.prologue().method().text() + " is not supported here; use " + allowed));
        };
    }

    /** Problem bodies for the failures Helidon handles before any route runs. */
    public static DirectHandlers directHandlers() {
        DirectHandler handler = new DirectHandler() {
            /**
             * Helidon 4.1.2 reports a request it could not parse as an internal error (500) when the client
             * closed mid-request or sent a method with non-ASCII bytes: that is the client's broken request,
             * and a 500 would count towards the mesh's outlier ejection
             * (docs/helidon-workarounds.md#broken-requests-answered-500).
             */
            @Override
            public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                            ServerResponseHeaders headers, Throwable thrown, System.Logger logger) {
                if (eventType == EventType.INTERNAL_ERROR && clientBroke(thrown)) {
                    return direct(request, EventType.BAD_REQUEST, Status.BAD_REQUEST_400, headers,
                            "The request could not be read: it was cut off or is not HTTP/1.1");
                }
                return DirectHandler.super.handle(request, eventType, status, headers, thrown, logger);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                            ServerResponseHeaders headers, String message) {
                return direct(request, eventType, status, headers, message);
            }
        };
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    public static void send(ServerResponse res, ProblemException e) {
        Problem problem = e.problem();
        res.status(Status.create(problem.status()));
        e.retryAfterSeconds().ifPresent(s -> res.header(HeaderNames.RETRY_AFTER, String.valueOf(s)));
        e.headers().forEach(res::header);
        res.headers().contentType(PROBLEM_JSON);
        res.send(problem.toJsonBytes());
    }

    private static void unexpected(ServerRequest req, ServerResponse res, Throwable e) {
        String request = req.prologue().method().text() + " " + req.path().absolute().path();
        ProblemException answer = forUnexpected(e);
        if (answer.problem().status() == 503) {
            LOG.log(Level.WARNING, "Database unavailable for " + request, e);
        } else {
            LOG.log(Level.ERROR, "Unexpected failure for " + request, e);
        }
        send(res, answer);
    }

    /**
     * The answer to a failure no handler planned for: 503 with Retry-After when the database cannot be
     * reached (this pod cannot serve now, another may), else 500. Neither echoes the failure's message.
     */
    static ProblemException forUnexpected(Throwable e) {
        if (DatabaseErrors.isUnavailable(e)) {
            return new ProblemException(Problem.of(ProblemType.DATABASE_UNAVAILABLE,
                    "The database is unreachable; try again shortly."), RETRY_AFTER_SECONDS);
        }
        return ProblemException.of(ProblemType.INTERNAL, "The request failed unexpectedly.");
    }

    /** True when Helidon failed on the request's own bytes (cut off, or not a valid token), before routing. */
    static boolean clientBroke(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof io.helidon.common.buffers.DataReader.InsufficientDataAvailableException
                || t instanceof IllegalArgumentException) {
                return true;
            }
        }
        return false;
    }

    /** The problem for an error Helidon raised while routing: its status kept, a 5xx never echoed. */
    static ProblemException fromHttpException(HttpException e) {
        int code = e.status().code();
        ProblemType type = switch (code) {
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> code < 500
                    ? new ProblemType(ProblemType.BAD_REQUEST.slug(), ProblemType.BAD_REQUEST.title(), code)
                    : ProblemType.INTERNAL;
        };
        // Helidon's messages for 4xx describe the request, never internals; 5xx messages are not echoed.
        String detail = code < 500 ? e.getMessage() : "The request failed unexpectedly.";
        return ProblemException.of(type, detail);
    }

    private static DirectHandler.TransportResponse direct(DirectHandler.TransportRequest request,
                                                          DirectHandler.EventType eventType,
                                                          Status status,
                                                          ServerResponseHeaders headers,
                                                          String message) {
        headers.set(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .entity(forDirect(status, message).toJsonBytes())
                .build();
    }

    /**
     * The problem for a failure Helidon answers before routing, by its status (and its message for a 400):
     * docs/helidon-workarounds.md#problems-before-routing.
     */
    static Problem forDirect(Status status, String message) {
        // By status, not event type: Helidon reports an oversized body as a BAD_REQUEST event with 413.
        ProblemType type = switch (status.code()) {
            case 400 -> ProblemType.BAD_REQUEST;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> status.code() >= 500 ? new ProblemType(ProblemType.INTERNAL.slug(), ProblemType.INTERNAL.title(),
                    status.code()) : new ProblemType("http-" + status.code(), status.reasonPhrase(), status.code());
        };
        // Helidon's message describes a malformed request well; for other statuses it may not match them.
        String detail = status.code() == 400 && message != null && !message.isBlank() ? message : type.title();
        return Problem.of(type, detail);
    }
}
