-- usage_hours_delete: drop the usage_hours rows about to be recomputed.
-- Grain: statement.
-- Parameters: $all (true = empty the table, for a rebuild; false = the hours in coarse_hours).
DELETE FROM usage_hours
WHERE $all OR hour IN (SELECT hour FROM coarse_hours)
