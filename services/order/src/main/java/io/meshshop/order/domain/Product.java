package io.meshshop.order.domain;

/** A catalogue entry; prices are integers in minor units of {@code currency}. */
public record Product(String sku, String name, long priceMinor, String currency) {
}
