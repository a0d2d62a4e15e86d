-- dash_ingest_runs: recent ingest runs, newest first.
-- Grain: one row per run.
-- Parameters: $limit (how many runs).
SELECT run_id, started_at, finished_at, files_read, new_requests, duplicates,
       malformed_lines, unpriced_requests
FROM ingest_runs
ORDER BY run_id DESC
LIMIT $limit
