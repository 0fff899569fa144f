-- Dashboards: tiles showing saved charts or saved SQL charts, and filters applied to the tiles.
CREATE TABLE dashboards (
    dashboard_uuid uuid PRIMARY KEY,
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    name text NOT NULL,
    description text NULL,
    filters jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dashboard_tiles (
    tile_uuid uuid PRIMARY KEY,
    dashboard_uuid uuid NOT NULL REFERENCES dashboards (dashboard_uuid) ON DELETE CASCADE,
    position integer NOT NULL,
    saved_chart_uuid uuid NULL REFERENCES saved_charts (saved_chart_uuid) ON DELETE CASCADE,
    saved_sql_uuid uuid NULL REFERENCES saved_sql (saved_sql_uuid) ON DELETE CASCADE,
    CHECK ((saved_chart_uuid IS NULL) <> (saved_sql_uuid IS NULL))
);
