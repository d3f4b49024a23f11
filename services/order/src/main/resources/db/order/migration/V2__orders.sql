-- Orders and the saga state that settles them. See io.meshshop.order.domain.Order for the state machine.
CREATE TABLE orders (
    id              UUID                     NOT NULL PRIMARY KEY,
    user_id         UUID                     NOT NULL,
    status          VARCHAR(20)              NOT NULL,
    -- What the order still owes the payment service: a CHARGE (outcome unknown) or a REFUND; NULL when settled.
    owed            VARCHAR(10),
    total_minor     BIGINT                   NOT NULL,
    currency        VARCHAR(3)               NOT NULL,
    -- The Idempotency-Key of the POST that created the order and that request's fingerprint: the unique
    -- constraint is what makes concurrent duplicates (on any replica) create one order.
    idem_key        VARCHAR(255)             NOT NULL,
    fingerprint     VARCHAR(64)              NOT NULL,
    -- The Idempotency-Key of the cancel that moved the order; unique, so one key cancels one order.
    cancel_key      VARCHAR(255),
    payment_id      UUID,
    refund_id       UUID,
    -- Charge and refund calls that came back (with any answer); 0 while the creating request still waits.
    attempts        INTEGER                  NOT NULL,
    -- When the recovery task may next settle what is owed; NULL exactly when nothing is owed.
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    -- Who is settling the order now, until when: a claim by a conditional UPDATE, which PostgreSQL and H2
    -- both make exclusive, so two instances never work on one order at once.
    lease_owner     VARCHAR(36),
    lease_until     TIMESTAMP WITH TIME ZONE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT orders_idem_key_unique UNIQUE (idem_key),
    CONSTRAINT orders_cancel_key_unique UNIQUE (cancel_key),
    CONSTRAINT orders_state CHECK (
        (status = 'PENDING' AND owed = 'CHARGE')
        OR (status = 'CANCELLING' AND owed IN ('CHARGE', 'REFUND'))
        OR (status IN ('PAID', 'PAYMENT_DECLINED', 'CANCELLED') AND owed IS NULL)),
    CONSTRAINT orders_owed_scheduled CHECK (
        (owed IS NULL AND next_attempt_at IS NULL) OR (owed IS NOT NULL AND next_attempt_at IS NOT NULL)),
    CONSTRAINT orders_total CHECK (total_minor > 0)
);

CREATE INDEX orders_user_created ON orders (user_id, created_at);
-- Settled orders have no next attempt, so the recovery scan only walks orders that owe something.
CREATE INDEX orders_next_attempt ON orders (next_attempt_at);

CREATE TABLE order_lines (
    order_id         UUID         NOT NULL REFERENCES orders (id),
    line_no          INTEGER      NOT NULL,
    sku              VARCHAR(40)  NOT NULL,
    name             VARCHAR(200) NOT NULL,
    quantity         INTEGER      NOT NULL,
    unit_price_minor BIGINT       NOT NULL,
    CONSTRAINT order_lines_pk PRIMARY KEY (order_id, line_no),
    CONSTRAINT order_lines_quantity CHECK (quantity BETWEEN 1 AND 100)
);
