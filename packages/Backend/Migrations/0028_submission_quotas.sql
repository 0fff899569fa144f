-- Submissions per minute a project accepts, in all and from one user (null: the backend's defaults).
ALTER TABLE projects ADD COLUMN max_submissions_per_minute integer NULL CHECK (max_submissions_per_minute BETWEEN 1 AND 100000);
ALTER TABLE projects ADD COLUMN max_submissions_per_minute_per_user integer NULL CHECK (max_submissions_per_minute_per_user BETWEEN 1 AND 100000);
CREATE INDEX query_history_project_created_idx ON query_history (project_uuid, created_at);
