package io.meshshop.order.api;

import io.meshshop.common.json.JsonFactories;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.Problems;
import io.meshshop.order.domain.Product;
import io.meshshop.order.store.ProductStore;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code /api/products}: the catalogue, read-only. */
public final class ProductHttpService implements HttpService {

    private final ProductStore products;

    public ProductHttpService(ProductStore products) {
        this.products = products;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .get("/{sku}", this::get)
                .any("/", Problems.methodNotAllowed("GET"))
                .any("/{sku}", Problems.methodNotAllowed("GET"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        res.send(JsonFactories.items(products.all(), OrderJson::product));
    }

    private void get(ServerRequest req, ServerResponse res) {
        String sku = req.path().pathParameters().get("sku");
        if (!OrderJson.SKU.matcher(sku).matches()) {
            throw ProblemException.invalid("sku", "must be upper-case letters, digits and dashes");
        }
        Product product = products.find(sku).orElseThrow(() -> ProblemException.notFound("Product " + sku));
        res.send(OrderJson.product(product));
    }
}
