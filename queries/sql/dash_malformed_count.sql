-- dash_malformed_count: how many malformed lines are recorded in all.
-- Grain: one row.
-- Parameters: none.
SELECT count(*) AS malformed_lines FROM malformed_lines
