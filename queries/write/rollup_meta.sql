-- rollup_meta: record the boundary set the rollup now reflects and the requests it covers.
-- Grain: statement (the table keeps one row).
-- Parameters: $boundaries (canonical JSON of rollup_bounds.sql).
INSERT OR REPLACE INTO rollup_meta
SELECT 1, $boundaries, (SELECT count(*) FROM requests), current_timestamp
