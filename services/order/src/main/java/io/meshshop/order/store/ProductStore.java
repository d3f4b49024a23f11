package io.meshshop.order.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.meshshop.common.db.Rows;
import io.meshshop.order.domain.Catalogue;
import io.meshshop.order.domain.Product;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/**
 * The {@code products} table, seeded by the migrations and never written at run time: it is read once and
 * then answered from memory. Every checkout prices its lines from the catalogue, and reading six rows per
 * checkout was a statement (and a transaction) per order for data that only a new migration, which ships
 * with a new version and so a restart, can change.
 * <p>Statements are named: the name is the database span's in Jaeger, and DbClient would otherwise hash the
 * statement's text to name it on every execution (docs/helidon-workarounds.md#unnamed-statements).
 */
public final class ProductStore implements Catalogue {

    private static final System.Logger LOG = System.getLogger(ProductStore.class.getName());
    private static final String COLUMNS = "sku, name, price_minor, currency";

    private final DbClient db;
    /** By SKU, in SKU order; null until the first successful read. */
    private volatile Map<String, Product> catalogue;

    /** Reads the catalogue now, so that no request does; if the database cannot answer yet, the first use reads it. */
    public ProductStore(DbClient db) {
        this.db = db;
        try {
            catalogue();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Catalogue not read at start, the first request reads it", e);
        }
    }

    /** Every product, in SKU order. */
    public List<Product> all() {
        return List.copyOf(catalogue().values());
    }

    public Optional<Product> find(String sku) {
        return Optional.ofNullable(catalogue().get(sku));
    }

    /** The whole catalogue by SKU (unmodifiable), for pricing an order. */
    @Override
    public Map<String, Product> bySku() {
        return catalogue();
    }

    private Map<String, Product> catalogue() {
        Map<String, Product> read = catalogue;
        if (read != null) {
            return read;
        }
        synchronized (this) {
            if (catalogue == null) {
                // A failure (database down) leaves it unset: that request fails like any other database
                // failure, and the next one reads again.
                Map<String, Product> products = new LinkedHashMap<>();
                db.execute().createNamedQuery("products-all", "SELECT " + COLUMNS + " FROM products ORDER BY sku")
                        .execute()
                        .map(ProductStore::product)
                        .forEach(product -> products.put(product.sku(), product));
                catalogue = Collections.unmodifiableMap(products);
            }
            return catalogue;
        }
    }

    private static Product product(DbRow row) {
        return new Product(row.column("sku").get(String.class), row.column("name").get(String.class),
                Rows.longValue(row, "price_minor"), row.column("currency").get(String.class));
    }
}
