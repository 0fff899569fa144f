-- Demo warehouse for the "Demo (PostgreSQL)" project: a small shop. Re-running replaces it.
DROP TABLE IF EXISTS payments, orders, customers, type_showcase;

CREATE TABLE customers (
    customer_id integer PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL,
    country text NOT NULL,
    created_at timestamptz NOT NULL
);

INSERT INTO customers
SELECT i,
       (ARRAY['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Niklaus'])[1 + i % 10],
       (ARRAY['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Wirth'])[1 + (i / 10) % 10],
       'customer' || i || '@example.com',
       (ARRAY['GB', 'US', 'NL', 'DE', 'FR', 'ES', 'JP', 'BR'])[1 + i % 8],
       timestamptz '2024-01-01 00:00:00+00' + (i * interval '7 hours')
FROM generate_series(1, 1000) AS i;

CREATE TABLE orders (
    order_id integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers,
    order_date date NOT NULL,
    status text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    is_gift boolean NOT NULL
);

INSERT INTO orders
SELECT i,
       1 + (i * 7919) % 1000,
       date '2024-01-01' + (i % 700),
       (ARRAY['placed', 'shipped', 'completed', 'returned', 'return_pending'])[1 + i % 5],
       round(((i * 37) % 50000) / 100.0 + 5, 2),
       i % 11 = 0
FROM generate_series(1, 20000) AS i;

CREATE TABLE payments (
    payment_id integer PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders,
    payment_method text NOT NULL,
    amount numeric(12, 2) NOT NULL
);

INSERT INTO payments
SELECT o.order_id, o.order_id, (ARRAY['credit_card', 'bank_transfer', 'gift_card', 'coupon'])[1 + o.order_id % 4], o.amount
FROM orders o;

-- One row of each kind of value, to see how types travel through the API.
CREATE TABLE type_showcase AS
SELECT 42::integer AS an_integer,
       9007199254740993::bigint AS a_bigint,
       123456789012345678901234567890.123456789::numeric AS a_big_numeric,
       3.14::double precision AS a_double,
       true AS a_boolean,
       date '2024-02-29' AS a_date,
       timestamp '2024-02-29 13:45:00.123456' AS a_timestamp,
       timestamptz '2024-02-29 13:45:00+01' AS a_timestamptz,
       '{"nested": {"list": [1, 2, 3]}, "text": "hi"}'::jsonb AS a_jsonb,
       ARRAY[1, 2, 3] AS an_array,
       'a1b2c3d4-0000-4000-8000-000000000001'::uuid AS a_uuid,
       E'line one\nline two \u2028 emoji 🎉' AS a_tricky_text,
       NULL::text AS a_null;

ANALYZE;
