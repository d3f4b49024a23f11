package io.meshshop.bench.loadgen;

import java.net.ConnectException;
import java.net.SocketTimeoutException;

/**
 * What one request ended as: the operation it was ({@code get}, {@code place}, ...) and either the HTTP
 * status or, when no response came, a short error name ({@code timeout}, {@code connect}, {@code io}).
 */
record Outcome(String operation, int status, String error) {

    static Outcome of(String operation, Response response) {
        return new Outcome(operation, response.status(), null);
    }

    static Outcome failed(String operation, Exception e) {
        String error;
        if (e instanceof SocketTimeoutException) {
            error = "timeout";
        } else if (e instanceof ConnectException) {
            error = "connect";
        } else if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } else {
            error = "io-" + e.getClass().getSimpleName();
        }
        return new Outcome(operation, -1, error);
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The key under which the outcome is counted: the status code, or the error name. */
    String key() {
        return error != null ? error : String.valueOf(status);
    }
}
