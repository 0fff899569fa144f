-- Leases: a running query's worker renews heartbeat_at; a query whose lease lapsed (its backend
-- died) is re-run or failed by the reaper, and the multipart upload it left is aborted.
ALTER TABLE query_history ADD COLUMN heartbeat_at timestamptz NULL;
ALTER TABLE query_history ADD COLUMN executing_server text NULL;
ALTER TABLE query_history ADD COLUMN attempt integer NOT NULL DEFAULT 0;
ALTER TABLE query_history ADD COLUMN results_upload_key text NULL;
ALTER TABLE query_history ADD COLUMN results_upload_id text NULL;

CREATE INDEX query_history_executing_heartbeat_idx ON query_history (heartbeat_at) WHERE status = 'executing';
