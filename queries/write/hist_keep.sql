-- hist_keep: save the latency_hours rows of the touched hours before hist_delete drops them, so
-- hist_insert can fold a run's new requests into them (the twin of rollup_keep.sql).
-- Grain: one row per existing latency_hours row of an hour in rollup_hours.
-- Parameters: $add (false = keep nothing: the hours are recomputed from requests instead).
CREATE OR REPLACE TEMP TABLE hist_old AS
SELECT * FROM latency_hours
WHERE $add AND hour IN (SELECT hour FROM rollup_hours)
