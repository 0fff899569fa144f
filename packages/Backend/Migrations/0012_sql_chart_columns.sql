-- A SQL chart's columns, learnt from a query of its SQL run in the background when it is saved,
-- so that dashboards can filter it by column without asking the warehouse during a request.
ALTER TABLE saved_sql ADD COLUMN columns jsonb NULL;
ALTER TABLE saved_sql ADD COLUMN columns_query_uuid uuid NULL;
