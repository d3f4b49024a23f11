package io.meshshop.order.domain;

/**
 * Where an order stands, as clients see it.
 *
 * <pre>
 *   PENDING ──charge captured──▶ PAID ──cancel──▶ CANCELLING ──refunded──▶ CANCELLED
 *      │  └──charge declined──▶ PAYMENT_DECLINED                 ▲
 *      └──cancel──▶ CANCELLING (charge owed) ──captured──▶ (refund owed) ──┘
 *                                  └──declined──▶ CANCELLED
 * </pre>
 *
 * PAID, PAYMENT_DECLINED and CANCELLED are final as far as money goes: nothing is owed to or by payment.
 */
public enum OrderStatus {
    /** Stored; the charge was sent (or is about to be) and its outcome is not known yet. */
    PENDING,
    /** The charge was captured. */
    PAID,
    /** The acquirer declined the charge: no money moved, the order is over. */
    PAYMENT_DECLINED,
    /** Cancelled by the client; a charge outcome or a refund is still being settled. */
    CANCELLING,
    /** Cancelled, and any money captured for it has been refunded in full. */
    CANCELLED
}
