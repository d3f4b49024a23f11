package io.meshshop.order.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.json.JsonInput;
import io.meshshop.order.domain.Checkout;
import io.meshshop.order.domain.Order;
import io.meshshop.order.domain.OrderLine;
import io.meshshop.order.domain.Product;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/** The JSON shapes of the catalogue and order APIs. Amounts are integers in minor units, never decimals. */
final class OrderJson {

    static final int MAX_LINES = 50;
    static final int MAX_QUANTITY = 100;
    /** Upper-case letters, digits and dashes; anything else cannot be a SKU and is a 400, not a 404. */
    static final Pattern SKU = Pattern.compile("[A-Z0-9][A-Z0-9-]{0,39}");

    private OrderJson() {
    }

    /** Body of {@code POST /api/orders}: only what is bought; who buys is the bearer token's subject. */
    record Placement(List<Checkout.Item> items) {
        static Placement from(JsonInput in) {
            JsonArray array = in.requiredArray("items", 1, MAX_LINES);
            List<Checkout.Item> items = new ArrayList<>();
            if (array != null) {
                for (int i = 0; i < array.size(); i++) {
                    String prefix = "items[" + i + "].";
                    JsonValue value = array.get(i);
                    if (!(value instanceof JsonObject line)) {
                        in.error("items[" + i + "]", "must be an object with sku and quantity");
                        continue;
                    }
                    JsonInput item = in.nested(line, prefix);
                    String sku = item.requiredString("sku", 1, 40);
                    if (sku != null && !SKU.matcher(sku).matches()) {
                        item.error("sku", "must be upper-case letters, digits and dashes");
                    }
                    long quantity = item.requiredLong("quantity", 1, MAX_QUANTITY);
                    item.rejectUnknownFields();
                    items.add(new Checkout.Item(sku, (int) quantity));
                }
            }
            in.validate();
            return new Placement(items);
        }
    }

    static JsonObject order(Order order) {
        JsonArrayBuilder lines = JsonFactories.array();
        for (OrderLine line : order.lines()) {
            lines.add(JsonFactories.object()
                    .add("sku", line.sku())
                    .add("name", line.name())
                    .add("quantity", line.quantity())
                    .add("unitPriceMinor", line.unitPriceMinor())
                    .add("lineTotalMinor", line.totalMinor()));
        }
        JsonObjectBuilder json = JsonFactories.object()
                .add("id", order.id().toString())
                .add("userId", order.userId().toString())
                .add("status", order.status().name())
                .add("items", lines)
                .add("totalMinor", order.totalMinor())
                .add("currency", order.currency());
        if (order.paymentId() != null) {
            json.add("paymentId", order.paymentId().toString());
        }
        if (order.refundId() != null) {
            json.add("refundId", order.refundId().toString());
        }
        return json.add("createdAt", order.createdAt().toString())
                .add("updatedAt", order.updatedAt().toString())
                .build();
    }

    static JsonObject product(Product product) {
        return JsonFactories.object()
                .add("sku", product.sku())
                .add("name", product.name())
                .add("priceMinor", product.priceMinor())
                .add("currency", product.currency())
                .build();
    }
}
