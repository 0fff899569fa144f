-- Opt-in: a query nobody reads (polls or waits on) for cancel_if_unread_ms is cancelled by its worker.
ALTER TABLE query_history ADD COLUMN cancel_if_unread_ms bigint NULL;
ALTER TABLE query_history ADD COLUMN last_read_at timestamptz NULL;
