-- Scheduled deliveries: a saved chart, SQL chart or dashboard exported on a cron schedule (in a time
-- zone) and sent to webhooks, an S3 prefix or email. Each run is a delivery; each try of each target an attempt.
CREATE TABLE schedulers (
    scheduler_uuid uuid PRIMARY KEY,
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    owner_uuid uuid NOT NULL REFERENCES users (user_uuid) ON DELETE CASCADE,
    name text NOT NULL,
    resource_type text NOT NULL,
    resource_uuid uuid NOT NULL,
    cron text NOT NULL,
    timezone text NOT NULL,
    format text NOT NULL,
    -- [{"type": "webhook", "url": ..., "secret": ...}, {"type": "s3", "prefix": ...}, {"type": "email", "recipients": [...]}]
    targets jsonb NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedulers_project ON schedulers (project_uuid);

CREATE TABLE deliveries (
    delivery_uuid uuid PRIMARY KEY,
    scheduler_uuid uuid NOT NULL REFERENCES schedulers (scheduler_uuid) ON DELETE CASCADE,
    trigger text NOT NULL,
    status text NOT NULL DEFAULT 'running',
    error text NULL,
    files jsonb NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz NULL
);
CREATE INDEX deliveries_scheduler ON deliveries (scheduler_uuid, started_at DESC);

CREATE TABLE delivery_attempts (
    delivery_uuid uuid NOT NULL REFERENCES deliveries (delivery_uuid) ON DELETE CASCADE,
    target_index integer NOT NULL,
    target_type text NOT NULL,
    attempt integer NOT NULL,
    succeeded boolean NOT NULL,
    status_code integer NULL,
    error text NULL,
    duration_ms bigint NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (delivery_uuid, target_index, attempt)
);
