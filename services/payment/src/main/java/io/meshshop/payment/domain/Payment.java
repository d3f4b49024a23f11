package io.meshshop.payment.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * One charge of an order: money in minor units of {@code currency} (cents for EUR, yen for JPY).
 *
 * @param declineReason why the acquirer declined, null unless {@code status} is DECLINED
 */
public record Payment(UUID id, UUID orderId, UUID userId, long amountMinor, String currency, PaymentStatus status,
                      long refundedMinor, String declineReason, Instant createdAt) {

    public Payment declined(String reason) {
        return new Payment(id, orderId, userId, amountMinor, currency, PaymentStatus.DECLINED, 0, reason, createdAt);
    }

    public long refundableMinor() {
        return status == PaymentStatus.DECLINED ? 0 : amountMinor - refundedMinor;
    }
}
