package io.meshshop.order.domain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * The payment service as a script: each charge or refund takes the next answer, and what was sent is
 * recorded ({@code charge} or {@code refund}, in order). A call the script did not expect fails the test.
 */
final class ScriptedPayments implements PaymentGateway {

    private final Deque<Function<Order, PaymentOutcome>> answers = new ArrayDeque<>();
    private final List<String> sent = new ArrayList<>();

    /** The next calls answer these, in order. */
    ScriptedPayments answer(PaymentOutcome... outcomes) {
        for (PaymentOutcome outcome : outcomes) {
            answers.add(order -> outcome);
        }
        return this;
    }

    /** The next call runs {@code meanwhile} (what happens elsewhere while payment answers) and answers {@code outcome}. */
    ScriptedPayments answer(PaymentOutcome outcome, Runnable meanwhile) {
        answers.add(order -> {
            meanwhile.run();
            return outcome;
        });
        return this;
    }

    /** What was sent, in order: "charge" or "refund". */
    List<String> sent() {
        return List.copyOf(sent);
    }

    @Override
    public PaymentOutcome charge(Order order) {
        return next("charge", order);
    }

    @Override
    public PaymentOutcome refund(Order order) {
        return next("refund", order);
    }

    private PaymentOutcome next(String call, Order order) {
        sent.add(call);
        if (answers.isEmpty()) {
            throw new AssertionError("Unexpected " + call + " of order " + order.id() + " (" + order.status() + ")");
        }
        return answers.poll().apply(order);
    }
}
