package io.meshshop.order.store;

import java.util.Map;
import java.util.UUID;

import io.meshshop.common.testing.TestDatabases;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.dbclient.DbClient;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class OrderStoreH2Test extends OrderStoreContract {

    OrderStoreH2Test() {
        super(TestDatabases.h2("order"));
    }

    @Test
    void aCatalogueThatCannotBeReadAtStartIsReadOnFirstUse() {
        DbClient db = DbClient.builder(Config.just(ConfigSources.create(Map.of(
                "source", "jdbc",
                "connection.url", "jdbc:h2:mem:catalogue-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=TRUE",
                "connection.username", "sa",
                "connection.password", "")))).build();
        // No products table yet: the constructor must not fail the start.
        ProductStore products = new ProductStore(db);
        db.execute().dml("CREATE TABLE products (sku VARCHAR(40) PRIMARY KEY, name VARCHAR(200), price_minor BIGINT,"
                         + " currency VARCHAR(3))");
        db.execute().insert("INSERT INTO products VALUES ('B', 'Bee', 2, 'EUR'), ('A', 'Ant', 1, 'EUR')");
        assertThat("the catalogue, read on first use",
                products.all().stream().map(p -> p.sku()).toList(), is(java.util.List.of("A", "B")));
        assertThat("B's price", products.find("B").orElseThrow().priceMinor(), is(2L));
    }
}
