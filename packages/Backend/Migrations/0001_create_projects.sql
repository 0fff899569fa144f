-- Projects: a name and one warehouse connection each.
CREATE TABLE projects (
    project_uuid uuid PRIMARY KEY,
    name text NOT NULL,
    warehouse_type text NOT NULL,
    -- Credentials live here: never selected by a route, never logged.
    warehouse_connection text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
