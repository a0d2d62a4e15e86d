-- dash_malformed: lines an ingest could not read, with the reason, for the Data page.
-- Grain: one row per (path, line); at most $limit rows.
-- Parameters: $limit.
SELECT path, line, reason, run_id
FROM malformed_lines
ORDER BY path, line
LIMIT $limit
