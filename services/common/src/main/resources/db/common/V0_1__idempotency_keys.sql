-- Idempotency-Key records, shared by every service (see io.meshshop.common.idempotency.Idempotency).
-- The primary key is what makes a claim exclusive across replicas that share this database.
CREATE TABLE idempotency_keys (
    idem_key              VARCHAR(255)             NOT NULL PRIMARY KEY,
    fingerprint           CHAR(64)                 NOT NULL,
    state                 VARCHAR(16)              NOT NULL,
    owner_token           VARCHAR(36)              NOT NULL,
    locked_until          TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    response_status       INTEGER,
    response_content_type VARCHAR(100),
    response_location     VARCHAR(500),
    response_body         VARCHAR(1048576),
    CONSTRAINT idempotency_keys_state CHECK (state IN ('IN_FLIGHT', 'COMPLETED'))
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
