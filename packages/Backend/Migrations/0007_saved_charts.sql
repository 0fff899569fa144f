-- Saved charts: a metric query over an explore and a chart configuration, versioned (every save is
-- a new version; the newest is the chart).
CREATE TABLE saved_charts (
    saved_chart_uuid uuid PRIMARY KEY,
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    name text NOT NULL,
    description text NULL,
    created_by_user_uuid uuid NULL REFERENCES users (user_uuid) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE saved_chart_versions (
    version_uuid uuid PRIMARY KEY,
    saved_chart_uuid uuid NOT NULL REFERENCES saved_charts (saved_chart_uuid) ON DELETE CASCADE,
    metric_query jsonb NOT NULL,
    chart_config jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by_user_uuid uuid NULL REFERENCES users (user_uuid) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX saved_chart_versions_chart_idx ON saved_chart_versions (saved_chart_uuid, created_at DESC);
