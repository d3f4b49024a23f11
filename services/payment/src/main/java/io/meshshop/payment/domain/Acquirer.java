package io.meshshop.payment.domain;

/**
 * The party that actually moves the money. It is asked once per payment, inside the transaction that
 * records the payment, and only after that transaction holds the order's capture slot, so a second charge
 * of the same order never reaches it.
 */
public interface Acquirer {

    Decision capture(Payment payment);

    /** @param declineReason a short stable code such as {@code amount-above-limit}; null when approved */
    record Decision(boolean approved, String declineReason) {

        public static Decision approve() {
            return new Decision(true, null);
        }

        public static Decision decline(String reason) {
            return new Decision(false, reason);
        }
    }
}
