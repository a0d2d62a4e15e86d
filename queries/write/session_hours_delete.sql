-- session_hours_delete: drop the session_hours rows about to be recomputed.
-- Grain: statement.
-- Parameters: $all (true = empty the table, for a rebuild; false = the hours in coarse_hours).
DELETE FROM session_hours
WHERE $all OR hour IN (SELECT hour FROM coarse_hours)
