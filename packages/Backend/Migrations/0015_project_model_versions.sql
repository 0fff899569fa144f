-- Model files deployed through the API: every deploy is a new version of the project's files, kept
-- whole (path and content of each) so that any instance can load the latest and an admin can read
-- an older one. The latest version, when there is one, is what the project's explores load from.
CREATE TABLE project_model_versions (
    project_uuid uuid NOT NULL REFERENCES projects (project_uuid) ON DELETE CASCADE,
    version integer NOT NULL,
    files jsonb NOT NULL,
    explore_count integer NOT NULL,
    error_count integer NOT NULL,
    warning_count integer NOT NULL,
    deployed_by_user_uuid uuid NULL,
    deployed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_uuid, version)
);
