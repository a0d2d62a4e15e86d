-- dash_sources: requests per reader (source), with the files and time span behind them.
-- Grain: one row per source.
-- Parameters: none.
SELECT source, count(*) AS requests, count(DISTINCT source_file) AS files,
       min(ts) AS first_ts, max(ts) AS last_ts
FROM requests
GROUP BY source
ORDER BY requests DESC, source
