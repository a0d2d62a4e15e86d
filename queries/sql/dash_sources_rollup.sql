-- dash_sources_rollup: dash_sources.sql from file_requests (migration 0007) instead of every
-- request: requests per reader (source), with the files and time span behind them.
-- Grain: one row per source.
-- Parameters: none (the caller checks rollup.usable: file_requests is refreshed with the rollup).
SELECT source, sum(requests) AS requests, count(*) AS files,
       min(first_ts) AS first_ts, max(last_ts) AS last_ts
FROM file_requests
GROUP BY source
ORDER BY requests DESC, source
