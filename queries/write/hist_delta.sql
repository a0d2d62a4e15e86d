-- hist_delta: the latency histogram counts of one run's new requests, or of every request of the
-- hours being recomputed: what hist_insert.sql writes into emptied hours, or what
-- hist_fold_hours.sql and hist_fold_blocks.sql add to the stored counts.
-- Grain: one row per UTC hour x model x source x workload x sub-agent flag x metric x bucket.
-- Parameters:
--   $add   true = the requests of run $run (exact to add when the run updated no stored
--          request: queries/rollup.py); false = every request of the hours in rollup_hours
--   $run   the ingest run (used with $add)
-- Buckets as queries/sketch.py: x > 0 -> ceil(ln x / ln(1.01/0.99)); 0 -> -500000; x < 0 ->
-- -1000000 - ceil(ln(-x) / ln(1.01/0.99)); a value that is not finite is left out.  Metric 3
-- counts every request once (bucket 0).
CREATE OR REPLACE TEMP TABLE hist_delta AS
WITH fresh AS (
    SELECT
        to_timestamp(epoch_us(ts) // 3600000000 * 3600) AS hour,
        model, source, workload, is_subagent,
        [CAST(latency_ms AS DOUBLE), CAST(ttft_ms AS DOUBLE),
         CASE WHEN latency_ms > ttft_ms AND output_tokens > 0
              THEN output_tokens / ((latency_ms - ttft_ms) / 1000.0) END,
         0.0] AS xs
    FROM requests
    WHERE ($add AND run_id = $run)
       OR (NOT $add
           AND ts >= (SELECT min(hour) FROM rollup_hours)
           AND ts < (SELECT max(hour) FROM rollup_hours) + INTERVAL 1 HOUR
           AND to_timestamp(epoch_us(ts) // 3600000000 * 3600) IN (SELECT hour FROM rollup_hours))
),
vals AS (
    SELECT hour, model, source, workload, is_subagent,
           unnest([0, 1, 2, 3]) AS metric, unnest(xs) AS x
    FROM fresh
),
units AS (
    SELECT
        hour, model, source, workload, is_subagent, CAST(metric AS SMALLINT) AS metric,
        CASE
            WHEN metric = 3 THEN 0
            WHEN x IS NULL OR NOT isfinite(x) THEN NULL
            WHEN x > 0 THEN CAST(ceil(ln(x) / ln(1.01 / 0.99)) AS INTEGER)
            WHEN x = 0 THEN -500000
            ELSE -1000000 - CAST(ceil(ln(-x) / ln(1.01 / 0.99)) AS INTEGER)
        END AS bucket
    FROM vals
)
SELECT hour, model, source, workload, is_subagent, metric, bucket, count(*)::BIGINT AS n
FROM units
WHERE bucket IS NOT NULL
GROUP BY ALL
