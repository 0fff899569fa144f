-- Results cache, single flight and expiry.
-- A project may keep its results for a TTL of its own (null: the backend's default).
ALTER TABLE projects ADD COLUMN results_cache_ttl_seconds integer NULL CHECK (results_cache_ttl_seconds > 0);

-- A query that joined an identical one already running (single flight) points at it; it gets the
-- leader's outcome when the leader finishes.
ALTER TABLE query_history ADD COLUMN joined_query_uuid uuid NULL REFERENCES query_history (query_uuid) ON DELETE SET NULL;
-- True when the row reused an earlier result instead of running.
ALTER TABLE query_history ADD COLUMN cache_hit boolean NOT NULL DEFAULT false;

CREATE INDEX query_history_joined_query_uuid_idx ON query_history (joined_query_uuid) WHERE joined_query_uuid IS NOT NULL;
CREATE INDEX query_history_results_file_name_idx ON query_history (results_file_name) WHERE results_file_name IS NOT NULL;
CREATE INDEX query_history_results_expires_at_idx ON query_history (results_expires_at) WHERE status IN ('ready', 'error');
CREATE INDEX query_history_active_idx ON query_history (status, created_at) WHERE status IN ('pending', 'queued', 'executing');
