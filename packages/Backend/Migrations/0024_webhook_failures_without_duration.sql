-- A failed webhook call records neither its status nor its duration: both would tell the scheduler's
-- owner about the target (a closed port fails fast, a filtered one slowly).
ALTER TABLE delivery_attempts ALTER COLUMN duration_ms DROP NOT NULL;
