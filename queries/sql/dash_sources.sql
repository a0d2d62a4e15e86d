-- dash_sources: requests per reader (source), with the files and time span behind them.
-- Grain: one row per source.
-- Parameters: none.
-- Grouped per (source, file) first: much cheaper than count(DISTINCT source_file).
WITH per_file AS (
    SELECT source, source_file, count(*) AS requests, min(ts) AS first_ts, max(ts) AS last_ts
    FROM requests
    GROUP BY source, source_file
)
SELECT source, sum(requests) AS requests, count(*) AS files,
       min(first_ts) AS first_ts, max(last_ts) AS last_ts
FROM per_file
GROUP BY source
ORDER BY requests DESC, source
