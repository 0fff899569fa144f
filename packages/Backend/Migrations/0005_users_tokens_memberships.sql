-- Identities: users, their personal access tokens (stored only as SHA-256 hashes), and their
-- roles in projects.
CREATE TABLE users (
    user_uuid uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    -- Organisation admins are admins of every project and manage users.
    is_admin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE personal_access_tokens (
    token_uuid uuid PRIMARY KEY,
    user_uuid uuid NOT NULL REFERENCES users (user_uuid) ON DELETE CASCADE,
    description text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    -- The first characters, to recognise a token in lists; never enough to use it.
    token_hint text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NULL,
    revoked_at timestamptz NULL,
    last_used_at timestamptz NULL
);

CREATE INDEX personal_access_tokens_user_uuid_idx ON personal_access_tokens (user_uuid);

CREATE TABLE project_memberships (
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    user_uuid uuid NOT NULL REFERENCES users (user_uuid) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('viewer', 'developer', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_uuid, user_uuid)
);

CREATE INDEX query_history_user_project_created_idx ON query_history (created_by_user_uuid, project_uuid, created_at DESC);
