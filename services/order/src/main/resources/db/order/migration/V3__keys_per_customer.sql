-- Idempotency-Keys belong to the customer who sent them: two customers may send the same key and each gets
-- their own order (and their own cancel), never the other's. The constraints that made a key unique across
-- all orders become unique per user; the concurrent-duplicate guarantee (one insert wins) is unchanged.
ALTER TABLE orders DROP CONSTRAINT orders_idem_key_unique;
ALTER TABLE orders DROP CONSTRAINT orders_cancel_key_unique;
ALTER TABLE orders ADD CONSTRAINT orders_user_idem_key_unique UNIQUE (user_id, idem_key);
ALTER TABLE orders ADD CONSTRAINT orders_user_cancel_key_unique UNIQUE (user_id, cancel_key);
