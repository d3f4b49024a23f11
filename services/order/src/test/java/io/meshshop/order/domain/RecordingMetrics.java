package io.meshshop.order.domain;

import java.util.ArrayList;
import java.util.List;

/** What the saga counted, as lists a test reads. */
final class RecordingMetrics implements OrderMetrics {

    final List<OrderStatus> settled = new ArrayList<>();
    final List<OrderStatus> acceptedPending = new ArrayList<>();
    final List<String> recoveryAttempts = new ArrayList<>();
    final List<Long> pending = new ArrayList<>();

    @Override
    public void settled(Order order) {
        settled.add(order.status());
    }

    @Override
    public void acceptedPending(Order order) {
        acceptedPending.add(order.status());
    }

    @Override
    public void recoveryAttempt(String outcome) {
        recoveryAttempts.add(outcome);
    }

    @Override
    public void pending(long count) {
        pending.add(count);
    }
}
