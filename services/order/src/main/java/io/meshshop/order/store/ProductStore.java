package io.meshshop.order.store;

import java.util.List;
import java.util.Optional;

import io.meshshop.common.db.Rows;
import io.meshshop.order.domain.Product;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/** The {@code products} table, seeded by the migrations; read-only at run time. */
public final class ProductStore {

    private static final String COLUMNS = "sku, name, price_minor, currency";

    private final DbClient db;

    public ProductStore(DbClient db) {
        this.db = db;
    }

    public List<Product> all() {
        return db.execute().query("SELECT " + COLUMNS + " FROM products ORDER BY sku").map(ProductStore::product).toList();
    }

    public Optional<Product> find(String sku) {
        return db.execute().get("SELECT " + COLUMNS + " FROM products WHERE sku = ?", sku).map(ProductStore::product);
    }

    private static Product product(DbRow row) {
        return new Product(row.column("sku").get(String.class), row.column("name").get(String.class),
                Rows.longValue(row, "price_minor"), row.column("currency").get(String.class));
    }
}
