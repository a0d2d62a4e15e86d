-- dash_source_files: every file ever ingested, with the requests it contributed.
-- Grain: one row per source file.
-- Parameters: none.
WITH per_file AS (
    SELECT source_file, any_value(source) AS source, count(*) AS requests,
           min(ts) AS first_ts, max(ts) AS last_ts
    FROM requests
    GROUP BY source_file
)
SELECT
    s.path, s.format, coalesce(p.requests, 0) AS requests, s.size AS size_bytes,
    s.lines_done AS lines, s.resets, s.last_run_id, p.first_ts, p.last_ts
FROM source_files AS s
LEFT JOIN per_file AS p ON p.source_file = s.path
ORDER BY s.path
