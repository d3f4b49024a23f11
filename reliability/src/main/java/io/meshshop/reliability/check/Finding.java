package io.meshshop.reliability.check;

/**
 * One inconsistency between what the order database says and what the payment database did.
 *
 * @param kind   a stable slug, e.g. {@code double-capture}; suites count findings by kind
 * @param detail what was found, with the ids to look at
 */
public record Finding(String kind, String detail) {

    /** Captured twice (or more) for one order: money taken twice. */
    public static final String DOUBLE_CAPTURE = "double-capture";
    public static final String PAID_WITHOUT_CAPTURE = "paid-without-capture";
    public static final String CAPTURE_MISMATCH = "capture-mismatch";
    public static final String PAID_BUT_REFUNDED = "paid-but-refunded";
    public static final String CAPTURE_WITHOUT_ORDER = "capture-without-order";
    public static final String CANCELLED_NOT_REFUNDED = "cancelled-not-refunded";
    public static final String CAPTURE_OF_DECLINED_ORDER = "capture-of-declined-order";
    public static final String DECLINED_WITHOUT_DECLINE = "declined-without-decline";
    public static final String REFUNDS_EXCEED_CAPTURE = "refunds-exceed-capture";
    public static final String REFUND_TOTAL_MISMATCH = "refund-total-mismatch";
    public static final String REFUND_OF_DECLINE = "refund-of-decline";
    public static final String UNSETTLED_ORDER = "unsettled-order";
    public static final String DUPLICATE_ORDER_KEY = "duplicate-order-key";

    @Override
    public String toString() {
        return "finding " + kind + ": " + detail;
    }
}
