package io.meshshop.payment.domain;

import java.time.Instant;
import java.util.UUID;

/** Money given back from a capture, always in the capture's currency. */
public record Refund(UUID id, UUID paymentId, long amountMinor, String currency, Instant createdAt) {
}
