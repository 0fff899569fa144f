-- The statements API (Snowflake's SQL API shape): sessions, and the handles of statements. A handle
-- is the query_uuid of the statement's history row, so it shares the row's life, results and cancel.
CREATE TABLE statement_sessions (
    session_id uuid PRIMARY KEY,
    user_uuid uuid NOT NULL REFERENCES users (user_uuid) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    -- Idle sessions end: every use moves this on by the session's idle timeout.
    idle_timeout_seconds integer NOT NULL,
    expires_at timestamptz NOT NULL,
    -- Closed (by the client) or expired: its statements are being ended and deleted.
    closed_at timestamptz NULL
);
CREATE INDEX statement_sessions_expiry ON statement_sessions (expires_at) WHERE closed_at IS NULL;

CREATE TABLE statements (
    statement_handle uuid PRIMARY KEY,
    user_uuid uuid NOT NULL REFERENCES users (user_uuid) ON DELETE CASCADE,
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    session_id uuid NULL REFERENCES statement_sessions (session_id) ON DELETE CASCADE,
    -- A retried submit with the same requestId answers the same handle.
    request_id text NULL,
    statement_hash text NOT NULL,
    -- false: SQL NULL comes back as the text "null" (the submit's ?nullable=false).
    nullable boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    -- Ended (expired, or its session closed): its history row and results are deleted, and the handle
    -- answers why for a while before it is forgotten.
    ended_at timestamptz NULL,
    end_reason text NULL
);
CREATE UNIQUE INDEX statements_request_id ON statements (user_uuid, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX statements_session ON statements (session_id) WHERE session_id IS NOT NULL AND ended_at IS NULL;
CREATE INDEX statements_expiry ON statements (expires_at) WHERE ended_at IS NULL;
CREATE INDEX statements_ended ON statements (ended_at) WHERE ended_at IS NOT NULL;
