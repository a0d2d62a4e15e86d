-- rollup_delete: drop the rollup rows of the hours being recomputed (all of them for a rebuild).
-- Grain: statement.
-- Parameters: $full (true = empty the rollup).
DELETE FROM request_groups
WHERE $full OR hour IN (SELECT hour FROM rollup_hours)
