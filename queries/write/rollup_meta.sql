-- rollup_meta: record the boundary set the rollup now reflects and the requests it covers (the
-- latency histograms are refreshed with it, so they cover the same requests).
-- Grain: statement (the table keeps one row).
-- Parameters: $boundaries (canonical JSON of rollup_bounds.sql).
INSERT OR REPLACE INTO rollup_meta
SELECT 1, $boundaries, c, current_timestamp, c
FROM (SELECT count(*) AS c FROM requests)
