-- Saved SQL charts: SQL written by developers that every member of the project can run.
CREATE TABLE saved_sql (
    saved_sql_uuid uuid PRIMARY KEY,
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    name text NOT NULL,
    slug text NOT NULL,
    description text NULL,
    sql text NOT NULL,
    row_limit integer NULL CHECK (row_limit > 0),
    created_by_user_uuid uuid NULL REFERENCES users (user_uuid) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_uuid, slug)
);
