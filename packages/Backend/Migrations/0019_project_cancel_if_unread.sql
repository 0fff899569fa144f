-- A project may cancel its queries that nobody reads for this long (a request's own setting wins).
ALTER TABLE projects ADD COLUMN cancel_if_unread_seconds integer NULL;
