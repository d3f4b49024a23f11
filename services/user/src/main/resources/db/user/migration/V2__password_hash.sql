-- Only an Argon2id hash of the password, as a PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash, about
-- 100 characters today); the string names its own parameters, so they can be raised later and older hashes
-- still verify. Users registered before passwords existed keep NULL here and can never sign in.
ALTER TABLE users ADD COLUMN password_hash VARCHAR(512);
