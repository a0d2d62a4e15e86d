-- rollup_hours: the UTC hours an ingest run touched, which the rollup must recompute.
-- Grain: one row per hour.
-- Parameters: $run (ingest run id).
-- An hour is touched when a request of the run (new or updated) starts in it, or when a request
-- the run updated started in it before the update (the loader records those in rollup_touched).
CREATE OR REPLACE TEMP TABLE rollup_hours AS
SELECT DISTINCT to_timestamp(epoch_us(ts) // 3600000000 * 3600) AS hour
FROM (
    SELECT ts FROM requests WHERE run_id = $run
    UNION ALL
    SELECT ts FROM rollup_touched
)
