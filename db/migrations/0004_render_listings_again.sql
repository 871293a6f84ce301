-- No change to the schema: the Go step of this migration (migrationSteps in db/migrate.go)
-- renders every task's listing fragments again, as migration 0002 did. Listings rendered before
-- it could show a figure of -0, and a seed task without a name or creation date without them.
SELECT 1;
