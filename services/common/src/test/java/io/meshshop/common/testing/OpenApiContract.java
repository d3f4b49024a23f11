package io.meshshop.common.testing;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.yaml.snakeyaml.Yaml;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Keeps a service's OpenAPI document true: every operation it documents is called as a client would call it,
 * and must answer a success that the document lists for it. A route the document names but the server does
 * not serve, a status it does not document, or an operation the test does not expect fails the check.
 */
public final class OpenApiContract {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

    private OpenApiContract() {
    }

    /**
     * One documented operation.
     *
     * @param method   upper case, as sent
     * @param path     the path template, {@code /api/orders/{id}}
     * @param statuses the status codes its {@code responses} document
     */
    public record Operation(String method, String path, String operationId, Set<Integer> statuses) {

        /** The path with each {@code {name}} replaced by its value. */
        public String path(Map<String, String> parameters) {
            String concrete = path;
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                concrete = concrete.replace("{" + parameter.getKey() + "}", parameter.getValue());
            }
            return concrete;
        }
    }

    /** Every operation in the document the server at {@code baseUrl} serves on {@code /openapi}, in its order. */
    @SuppressWarnings("unchecked")
    public static List<Operation> documented(String baseUrl) {
        HttpResponse<String> document = HttpCalls.send("GET", baseUrl + "/openapi", null, "Accept", "application/yaml");
        assertThat("GET /openapi answers the document", document.statusCode(), is(200));
        Map<String, Object> openapi = new Yaml().load(document.body());
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) openapi.get("paths");
        List<Operation> operations = new ArrayList<>();
        paths.forEach((path, entries) -> entries.forEach((method, value) -> {
            if (METHODS.contains(method)) {
                Map<String, Object> operation = (Map<String, Object>) value;
                Set<Integer> statuses = new TreeSet<>();
                ((Map<Object, Object>) operation.get("responses")).keySet()
                        .forEach(status -> statuses.add(Integer.parseInt(String.valueOf(status))));
                operations.add(new Operation(method.toUpperCase(Locale.ROOT), path,
                        (String) operation.get("operationId"), statuses));
            }
        }));
        return operations;
    }

    /**
     * Calls every documented operation once, in the document's order, with {@code call}, which makes each call
     * one that should succeed; checks that each answers a 2xx that the document lists for that operation, and
     * that the document has exactly the operations {@code operationIds}.
     */
    public static void assertEveryOperationSucceedsAsDocumented(String baseUrl, Set<String> operationIds,
                                                                Function<Operation, Answer> call) {
        Set<String> seen = new LinkedHashSet<>();
        for (Operation operation : documented(baseUrl)) {
            Answer answer = call.apply(operation);
            String what = operation.method() + " " + operation.path() + " (" + operation.operationId() + ") answered "
                          + answer.status() + " " + answer.raw().body();
            assertThat(what + ": a status the document lists", operation.statuses(), hasItem(answer.status()));
            assertThat(what + ": a success", answer.status(), lessThan(300));
            seen.add(operation.operationId());
        }
        assertThat("the documented operations", seen, is(operationIds));
    }
}
