-- Per-user warehouse logins: a project that requires them runs each user's statements with that
-- user's own login, so that users of one warehouse cannot see or cancel each other's statements.
ALTER TABLE projects ADD COLUMN require_user_credentials boolean NOT NULL DEFAULT false;

CREATE TABLE user_warehouse_credentials (
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    user_uuid uuid NOT NULL REFERENCES users (user_uuid) ON DELETE CASCADE,
    username text NOT NULL,
    password text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_uuid, user_uuid)
);
