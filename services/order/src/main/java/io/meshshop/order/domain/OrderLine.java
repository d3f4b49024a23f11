package io.meshshop.order.domain;

/** One line of an order, with the product's name and price copied at the time of ordering. */
public record OrderLine(String sku, String name, int quantity, long unitPriceMinor) {

    public long totalMinor() {
        return Math.multiplyExact(unitPriceMinor, quantity);
    }
}
