package io.meshshop.common.problem;

/**
 * One invalid input field: {@code field} is a JSON pointer-like path ({@code items[2].quantity}),
 * a query parameter or a header name.
 */
public record FieldError(String field, String message) {
}
