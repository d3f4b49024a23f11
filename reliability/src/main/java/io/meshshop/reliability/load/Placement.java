package io.meshshop.reliability.load;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One order a client tried to place under one Idempotency-Key, and everything it was answered. An order is
 * "accepted" once the client got its id back (201 or 202): from then on the order must exist and settle,
 * or it is lost.
 */
public final class Placement {

    private final String key;
    private final Customer customer;
    private final String body;
    private final boolean declineExpected;
    private final List<String> answers = new CopyOnWriteArrayList<>();
    private volatile UUID orderId;
    private volatile int acceptedWith;
    private volatile String answeredStatus;
    private volatile boolean acceptedOnlyAtReconcile;
    private volatile String cancelKey;
    private volatile int cancelAnswer;

    /** The key is the customer's own (keys are scoped per caller), so a repeat goes out as the same customer. */
    public Placement(String key, Customer customer, String body, boolean declineExpected) {
        this.key = key;
        this.customer = customer;
        this.body = body;
        this.declineExpected = declineExpected;
    }

    /** Records one answer to the placement; the first 201/202 makes the order accepted. */
    void answered(Answer answer, boolean reconciling) {
        answers.add(answer.label());
        if ((answer.status() == 201 || answer.status() == 202) && orderId == null) {
            orderId = Api.id(answer);
            acceptedWith = answer.status();
            answeredStatus = answer.string("status").orElse("?");
            acceptedOnlyAtReconcile = reconciling;
        }
    }

    void cancelRequested(String key, Answer answer) {
        cancelKey = key;
        cancelAnswer = answer.status();
    }

    public String key() {
        return key;
    }

    public Customer customer() {
        return customer;
    }

    public String body() {
        return body;
    }

    public boolean declineExpected() {
        return declineExpected;
    }

    public boolean accepted() {
        return orderId != null;
    }

    public UUID orderId() {
        return orderId;
    }

    public int acceptedWith() {
        return acceptedWith;
    }

    public String answeredStatus() {
        return answeredStatus;
    }

    /** The client was told "failed" (or nothing) until it sent the same request once more at the end. */
    public boolean acceptedOnlyAtReconcile() {
        return acceptedOnlyAtReconcile;
    }

    /** True if a cancel of the order was answered 200 (CANCELLED) or 202 (CANCELLING). */
    public boolean cancelAccepted() {
        return cancelKey != null && (cancelAnswer == 200 || cancelAnswer == 202);
    }

    public List<String> answers() {
        return answers;
    }
}
