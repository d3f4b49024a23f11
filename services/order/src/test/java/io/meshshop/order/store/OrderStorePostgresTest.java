package io.meshshop.order.store;

import io.meshshop.common.testing.TestDatabases;

class OrderStorePostgresTest extends OrderStoreContract {

    OrderStorePostgresTest() {
        super(TestDatabases.postgres("order"));
    }
}
