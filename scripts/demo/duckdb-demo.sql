-- Demo warehouse for the "Demo (DuckDB)" project: the same small shop, plus DuckDB's own types.
CREATE OR REPLACE TABLE customers AS
SELECT range AS customer_id,
       ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Niklaus'][1 + range % 10] AS first_name,
       ['GB', 'US', 'NL', 'DE', 'FR', 'ES', 'JP', 'BR'][1 + range % 8] AS country,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(range * 7) AS created_at
FROM range(1, 1001);

CREATE OR REPLACE TABLE orders AS
SELECT range AS order_id,
       1 + (range * 7919) % 1000 AS customer_id,
       DATE '2024-01-01' + CAST(range % 700 AS INTEGER) AS order_date,
       ['placed', 'shipped', 'completed', 'returned', 'return_pending'][1 + range % 5] AS status,
       CAST(((range * 37) % 50000) / 100.0 + 5 AS DECIMAL(12, 2)) AS amount,
       range % 11 = 0 AS is_gift
FROM range(1, 20001);

-- One row of each kind of value, to see how DuckDB's types travel through the API.
CREATE OR REPLACE TABLE type_showcase AS
SELECT 170141183460469231731687303715884105727::HUGEINT AS a_hugeint,
       12345678901234567890.123456789012345678::DECIMAL(38, 18) AS a_wide_decimal,
       [1, 2, NULL] AS a_list,
       {'name': 'Ada', 'tags': ['math', 'code']} AS a_struct,
       DATE '2024-02-29' AS a_date,
       TIMESTAMPTZ '2024-02-29 13:45:00+01' AS a_timestamptz,
       '\x00\xFF'::BLOB AS a_blob;
