package io.meshshop.order.domain;

import java.util.Map;

/** What can be ordered, at what price: {@code store/ProductStore}. */
public interface Catalogue {

    /** Every product by SKU (unmodifiable). */
    Map<String, Product> bySku();
}
