-- hist_blocks_insert: recompute the latency_blocks of level $level that hold a touched hour,
-- from the level below (latency_hours for level 1, whose blocks are UTC days).
-- Grain: one row per block x model x source x workload x sub-agent flag x metric x bucket.
-- Parameters: $level (1..7), $span (days per block at that level: 8^(level-1)).
WITH touched AS (
    SELECT DISTINCT to_timestamp(epoch_us(hour) // (86400000000 * CAST($span AS BIGINT)) * (86400 * CAST($span AS BIGINT)))
        AS start
    FROM rollup_hours
),
below AS (
    SELECT hour AS t, model, source, workload, is_subagent, metric, bucket, n
    FROM latency_hours
    WHERE $level = 1
      AND hour >= (SELECT min(start) FROM touched)
      AND hour < (SELECT max(start) FROM touched) + to_days(CAST($span AS INTEGER))
    UNION ALL
    SELECT start AS t, model, source, workload, is_subagent, metric, bucket, n
    FROM latency_blocks
    WHERE $level > 1 AND level = $level - 1
      AND start >= (SELECT min(start) FROM touched)
      AND start < (SELECT max(start) FROM touched) + to_days(CAST($span AS INTEGER))
)
INSERT INTO latency_blocks
SELECT
    CAST($level AS SMALLINT),
    to_timestamp(epoch_us(t) // (86400000000 * CAST($span AS BIGINT)) * (86400 * CAST($span AS BIGINT))) AS start,
    model, source, workload, is_subagent, metric, bucket, sum(n)::BIGINT
FROM below
WHERE to_timestamp(epoch_us(t) // (86400000000 * CAST($span AS BIGINT)) * (86400 * CAST($span AS BIGINT)))
      IN (SELECT start FROM touched)
GROUP BY ALL
