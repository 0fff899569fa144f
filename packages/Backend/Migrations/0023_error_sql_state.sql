-- The SQLSTATE of a warehouse error (PostgreSQL's five characters), when the warehouse gave one: the
-- statements API answers it as sqlState.
ALTER TABLE query_history ADD COLUMN error_sql_state text NULL;
