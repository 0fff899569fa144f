-- A query's priority (how it is picked up among the queued ones) and its completion callback: the
-- address to POST to when it ends (its secret sealed like every stored secret), the callback's state,
-- and every attempt, readable on the query.
ALTER TABLE query_history ADD COLUMN priority text NOT NULL DEFAULT 'normal'
    CHECK (priority IN ('high', 'normal', 'low'));
ALTER TABLE query_history ADD COLUMN callback_url text NULL;
ALTER TABLE query_history ADD COLUMN callback_secret text NULL;
ALTER TABLE query_history ADD COLUMN callback_state text NULL
    CHECK (callback_state IN ('waiting', 'sending', 'delivered', 'failed'));
CREATE INDEX query_history_callbacks_waiting ON query_history (created_at) WHERE callback_state IN ('waiting', 'sending');

CREATE TABLE query_callback_attempts (
    query_uuid uuid NOT NULL REFERENCES query_history (query_uuid) ON DELETE CASCADE,
    attempt integer NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    status_code integer NULL,
    error text NULL,
    duration_ms bigint NOT NULL,
    PRIMARY KEY (query_uuid, attempt)
);
