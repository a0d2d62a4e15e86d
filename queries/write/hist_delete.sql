-- hist_delete: drop the latency_hours rows of the hours being recomputed.
-- Grain: statement.
-- Parameters: none (the hours are in rollup_hours).
DELETE FROM latency_hours
WHERE hour >= (SELECT min(hour) FROM rollup_hours)
  AND hour IN (SELECT hour FROM rollup_hours)
