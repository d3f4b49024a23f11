-- Money is an integer number of minor units plus an ISO 4217 code; never a floating-point column.
--
-- captured_order_id is the order_id while the payment is a capture (CAPTURED, PARTIALLY_REFUNDED,
-- REFUNDED) and NULL once declined. Its unique constraint is what allows at most one capture per order
-- on every replica, while any number of declined attempts may exist: H2 has no partial unique index,
-- and both databases let a unique column hold many NULLs.
CREATE TABLE payments (
    id                UUID                     NOT NULL PRIMARY KEY,
    order_id          UUID                     NOT NULL,
    user_id           UUID                     NOT NULL,
    amount_minor      BIGINT                   NOT NULL,
    currency          VARCHAR(3)               NOT NULL,
    status            VARCHAR(20)              NOT NULL,
    refunded_minor    BIGINT                   NOT NULL,
    decline_reason    VARCHAR(100),
    captured_order_id UUID,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT payments_one_capture_per_order UNIQUE (captured_order_id),
    CONSTRAINT payments_amount CHECK (amount_minor BETWEEN 1 AND 1000000000000),
    -- The refund bound is also enforced here, beneath the conditional update that normally guarantees it.
    CONSTRAINT payments_refunded CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    CONSTRAINT payments_status CHECK (status IN ('CAPTURED', 'DECLINED', 'PARTIALLY_REFUNDED', 'REFUNDED')),
    CONSTRAINT payments_capture_state CHECK (
        (status = 'DECLINED' AND captured_order_id IS NULL AND refunded_minor = 0)
        OR (status <> 'DECLINED' AND captured_order_id = order_id))
);

CREATE INDEX payments_order_id ON payments (order_id, created_at);

CREATE TABLE refunds (
    id           UUID                     NOT NULL PRIMARY KEY,
    payment_id   UUID                     NOT NULL REFERENCES payments (id),
    amount_minor BIGINT                   NOT NULL,
    currency     VARCHAR(3)               NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT refunds_amount CHECK (amount_minor BETWEEN 1 AND 1000000000000)
);

CREATE INDEX refunds_payment_id ON refunds (payment_id, created_at);
