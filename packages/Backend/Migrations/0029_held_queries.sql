-- A query a limit holds back (its user's, the fair share, its project's warehouse cap) stays queued with
-- no job of its own: it is woken when a slot it could use is released, or by the sweep of held queries.
ALTER TABLE query_history ADD COLUMN held_since timestamptz NULL;
-- When a wake handed it to the queue: a woken query not claimed long after (the instance that woke it died
-- before its job was enqueued) is woken again by the sweep.
ALTER TABLE query_history ADD COLUMN woken_at timestamptz NULL;
CREATE INDEX query_history_held_idx ON query_history (created_at) WHERE held_since IS NOT NULL OR woken_at IS NOT NULL;
