-- Exports as background jobs: a stored result written as a file (CSV, XLSX, Parquet, JSONL) by a worker
-- on any instance. A job renews its lease while it runs; a lapsed lease is taken over by another
-- instance. Deleted with its query (and its file with it).
CREATE TABLE export_jobs (
    job_id uuid PRIMARY KEY,
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    query_uuid uuid NOT NULL REFERENCES query_history (query_uuid) ON DELETE CASCADE,
    user_uuid uuid NOT NULL REFERENCES users (user_uuid) ON DELETE CASCADE,
    format text NOT NULL,
    formatted boolean NOT NULL DEFAULT false,
    row_limit bigint NULL,
    file_name text NOT NULL,
    status text NOT NULL DEFAULT 'queued',
    rows_written bigint NOT NULL DEFAULT 0,
    total_rows bigint NOT NULL,
    byte_size bigint NULL,
    file_key text NULL,
    upload_key text NULL,
    upload_id text NULL,
    truncated boolean NOT NULL DEFAULT false,
    truncated_at bigint NULL,
    error text NULL,
    attempt integer NOT NULL DEFAULT 0,
    executing_server text NULL,
    heartbeat_at timestamptz NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz NULL,
    finished_at timestamptz NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX export_jobs_query ON export_jobs (query_uuid);
CREATE INDEX export_jobs_running ON export_jobs (heartbeat_at) WHERE status = 'running';
CREATE INDEX export_jobs_expiry ON export_jobs (expires_at);
