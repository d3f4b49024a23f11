package io.meshshop.order.domain;

import java.util.List;
import java.util.Map;

import io.meshshop.common.problem.FieldError;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

/** Lines name SKUs the catalogue does not have; {@code errors} says which lines. */
public final class UnknownProductException extends ProblemException {

    public static final ProblemType TYPE = new ProblemType("unknown-product", "Product does not exist", 422);

    public UnknownProductException(List<FieldError> errors) {
        super(new Problem(TYPE, "One or more lines name a product that is not in the catalogue; nothing was stored",
                errors, Map.of()));
    }
}
