-- The catalogue: what can be ordered, at what price. Prices are integers in minor units of one currency;
-- an order copies name and price into its lines, so changing a product never changes a placed order.
CREATE TABLE products (
    sku         VARCHAR(40)  NOT NULL PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    price_minor BIGINT       NOT NULL,
    currency    VARCHAR(3)   NOT NULL,
    -- At most 100 lines x 100 pieces x this price stays far below payment's 10^12 limit.
    CONSTRAINT products_price CHECK (price_minor BETWEEN 1 AND 100000000),
    CONSTRAINT products_one_currency CHECK (currency = 'EUR')
);

INSERT INTO products (sku, name, price_minor, currency) VALUES
    ('MESH-MUG',       'Service mesh mug',                1250, 'EUR'),
    ('SIDECAR-TEE',    'Sidecar T-shirt',                 2400, 'EUR'),
    ('ENVOY-HOODIE',   'Envoy hoodie',                    5900, 'EUR'),
    ('MTLS-STICKERS',  'mTLS sticker pack',                450, 'EUR'),
    ('PILOT-CAP',      'Pilot cap',                       1800, 'EUR'),
    -- Above payment's default decline limit (1,000,000 minor units) from 9 pieces on: a decline on purpose.
    ('CONSULTING-DAY', 'A day of service mesh consulting', 120000, 'EUR');
