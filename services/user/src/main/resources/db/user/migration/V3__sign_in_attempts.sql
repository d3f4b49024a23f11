-- Sign-in attempts per e-mail address, shared by every replica: attempts counted in the window that began at
-- window_start, cleared by a successful sign-in. The key is the SHA-256 (hex) of the normalised address, so
-- this table, which also counts addresses nobody registered, holds no e-mail addresses.
CREATE TABLE sign_in_attempts (
    throttle_key VARCHAR(64)              NOT NULL PRIMARY KEY,
    attempts     INTEGER                  NOT NULL,
    window_start TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The purge deletes ended windows.
CREATE INDEX sign_in_attempts_window_start ON sign_in_attempts (window_start);
