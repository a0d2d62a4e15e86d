-- dash_last_ingest: the most recent ingest run, to show how fresh the data is.
-- Grain: at most one row.
-- Parameters: none.
SELECT run_id, started_at, finished_at, files_read, new_requests, malformed_lines
FROM ingest_runs
ORDER BY run_id DESC
LIMIT 1
