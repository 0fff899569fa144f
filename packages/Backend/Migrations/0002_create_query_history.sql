-- One row per submitted query: its life (status), what ran, and where its results are.
CREATE TABLE query_history (
    query_uuid uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by_user_uuid uuid NULL,
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    organization_uuid uuid NULL,
    context text NOT NULL,
    default_page_size integer NOT NULL,
    compiled_sql text NOT NULL,
    warehouse_query_id text NULL,
    warehouse_query_metadata jsonb NULL,
    warehouse_execution_time_ms bigint NULL,
    total_row_count bigint NULL,
    metric_query jsonb NULL,
    fields jsonb NULL,
    request_parameters jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL CHECK (status IN ('pending', 'queued', 'executing', 'ready', 'error', 'cancelled', 'expired')),
    error text NULL,
    errored_at timestamptz NULL,
    cache_key text NOT NULL,
    results_file_name text NULL,
    results_created_at timestamptz NULL,
    results_updated_at timestamptz NULL,
    results_expires_at timestamptz NULL,
    columns jsonb NULL,
    processing_started_at timestamptz NULL,
    -- Our additions: the size of the results object and how many rows each entry of its
    -- byte-offset index covers (see docs/decisions/0002-page-index.md).
    results_byte_size bigint NULL,
    results_index_block_rows integer NULL,
    finished_at timestamptz NULL
);

CREATE INDEX query_history_cache_key_idx ON query_history (cache_key);
CREATE INDEX query_history_created_at_idx ON query_history (created_at);
CREATE INDEX query_history_project_uuid_idx ON query_history (project_uuid);
CREATE INDEX query_history_created_by_user_uuid_idx ON query_history (created_by_user_uuid);
