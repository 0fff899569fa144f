-- A project's own limit on how long a warehouse statement may run, and a request's lower one.
ALTER TABLE projects ADD COLUMN statement_timeout_seconds integer NULL;
ALTER TABLE query_history ADD COLUMN statement_timeout_ms bigint NULL;

-- A query holds a worker slot from the moment it starts executing until its warehouse statement
-- has really ended, even after it was cancelled: per-user limits and fair shares count slots, not statuses.
ALTER TABLE query_history ADD COLUMN holds_slot boolean NOT NULL DEFAULT false;
CREATE INDEX query_history_holds_slot_idx ON query_history (created_by_user_uuid) WHERE holds_slot;
