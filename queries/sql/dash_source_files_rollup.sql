-- dash_source_files_rollup: dash_source_files.sql from file_requests (migration 0007) instead
-- of every request: every file ever ingested, with the requests it contributed.
-- Grain: one row per source file.
-- Parameters: none (the caller checks rollup.usable: file_requests is refreshed with the rollup).
WITH per_file AS (
    SELECT source_file, sum(requests)::BIGINT AS requests, min(first_ts) AS first_ts,
           max(last_ts) AS last_ts
    FROM file_requests
    GROUP BY source_file
)
SELECT
    s.path, s.format, coalesce(p.requests, 0) AS requests, s.size AS size_bytes,
    s.lines_done AS lines, s.resets, s.last_run_id, p.first_ts, p.last_ts
FROM source_files AS s
LEFT JOIN per_file AS p ON p.source_file = s.path
ORDER BY s.path
