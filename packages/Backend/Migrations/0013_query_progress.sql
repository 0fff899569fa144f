-- What a running query has written so far, refreshed about once a second by its worker (never per
-- block), so that any instance can show progress.
ALTER TABLE query_history ADD COLUMN rows_written bigint NULL;
ALTER TABLE query_history ADD COLUMN bytes_written bigint NULL;
