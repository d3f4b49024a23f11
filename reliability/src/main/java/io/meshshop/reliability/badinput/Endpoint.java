package io.meshshop.reliability.badinput;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One route of a service, described by a valid request to it: the corpus changes exactly one part of that
 * request at a time into something invalid, so every generated request is invalid for one known reason.
 *
 * @param service   the service, for the tables
 * @param port      where the service listens
 * @param method    the route's method
 * @param path      the path with real ids (of resources the suite created)
 * @param ids       the path segments that are ids, by their value in {@code path} (mutated one at a time)
 * @param query     a valid query string without '?', or null
 * @param queryKind what the query parameter is, for its mutations
 * @param fields    the body's fields in order (null: no body)
 * @param key       whether the route reads an Idempotency-Key
 * @param allowed   every method the path answers (the others are wrong methods)
 * @param auth      how the route is signed in; null for an open route (registration, sign-in, the catalogue,
 *                  the JWKS, and payment, which is internal)
 */
public record Endpoint(String service, int port, String method, String path, List<String> ids, String query,
                       QueryKind queryKind, List<Field> fields, KeyUse key, List<String> allowed, Auth auth) {

    public enum KeyUse { NONE, OPTIONAL, REQUIRED }

    /** The query the route reads: none, the user list's, one UUID parameter, or none at all but strictly so. */
    public enum QueryKind { NONE, USER_LIST, UUID_PARAM, CALLER_ONLY }

    public enum Type { STRING, EMAIL, PASSWORD, UUID, AMOUNT, QUANTITY_ITEMS, CURRENCY }

    /**
     * A protected route's signing in.
     *
     * @param bearer      the valid access token of the customer the valid request acts for
     * @param wrongTokens tokens that look right and must be refused here, each with the answer it must get
     */
    public record Auth(String bearer, List<WrongToken> wrongTokens) {
    }

    /**
     * A token the route must refuse.
     *
     * @param expected the statuses that are right (401 for a forged one, 404 for another customer's valid
     *                 token on this customer's resource, 403 for a customer where an operator is needed);
     *                 empty: any 4xx problem document
     */
    public record WrongToken(String description, String token, java.util.Set<Integer> expected) {

        @Override
        public String toString() {
            // Never the token itself: reports name the case.
            return description;
        }
    }

    /**
     * One JSON body field.
     *
     * @param json     its valid value as JSON text
     * @param required whether leaving it out (or null) is invalid
     */
    public record Field(String name, Type type, String json, boolean required) {
    }

    public String name() {
        return method + " " + path.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{id}")
               + (query == null ? "" : "?" + query.replaceAll("=.*", "="));
    }

    public boolean hasBody() {
        return fields != null;
    }

    /** The valid body as JSON text with {@code replaced} fields swapped (a null value removes the field). */
    public String body(Map<String, String> replaced) {
        StringBuilder json = new StringBuilder("{");
        boolean first = true;
        for (Field field : fields) {
            String value = replaced.containsKey(field.name()) ? replaced.get(field.name()) : field.json();
            if (value == null) {
                continue;
            }
            if (!first) {
                json.append(',');
            }
            json.append('"').append(field.name()).append("\":").append(value);
            first = false;
        }
        return json.append('}').toString();
    }

    public String validBody() {
        return body(new LinkedHashMap<>());
    }

    /** The request target: path and query. */
    public String target() {
        return query == null ? path : path + "?" + query;
    }
}
