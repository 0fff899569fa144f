-- The most statements a project's queries may hold open on its warehouse at once, across every
-- instance (null: the backend's default, QueryExecution:MaxWarehouseStatementsPerProject).
ALTER TABLE projects ADD COLUMN max_warehouse_statements integer NULL
    CHECK (max_warehouse_statements BETWEEN 1 AND 1000);
CREATE INDEX query_history_project_slots ON query_history (project_uuid) WHERE holds_slot;
