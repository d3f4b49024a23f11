-- E-mail is stored lower-case, so this constraint makes it unique case-insensitively.
CREATE TABLE users (
    id         UUID                     NOT NULL PRIMARY KEY,
    name       VARCHAR(800)             NOT NULL,
    email      VARCHAR(254)             NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT users_email_unique UNIQUE (email)
);

-- Keyset pagination walks (created_at, id).
CREATE INDEX users_created_at_id ON users (created_at, id);
