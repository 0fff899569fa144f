-- The W3C trace context of the request that submitted the query: the job that runs it continues the
-- same trace, on whichever instance it runs.
ALTER TABLE query_history ADD COLUMN trace_parent text NULL;
