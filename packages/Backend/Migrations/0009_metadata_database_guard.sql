-- The metadata database says what it is, so that a warehouse connection reaching it is refused
-- (the warehouse clients read this comment), and nobody but its owner may connect to it.
-- Both need the database's owner; a deployment where the service's login does not own it is told
-- so and goes on (an operator then revokes PUBLIC's access by hand).
DO $$
BEGIN
  EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'lightdash-net metadata database');
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'The service''s login does not own the metadata database: it is not marked, and PUBLIC may still connect to it.';
END $$;
