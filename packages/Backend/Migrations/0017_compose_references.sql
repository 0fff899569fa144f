-- SQL composed over stored results: the table names the SQL uses, each with the query whose stored
-- result it reads ({"orders": {"queryUuid": "...", "resultsFileName": "..."}}). NULL for other queries.
ALTER TABLE query_history ADD COLUMN compose_references jsonb NULL;
