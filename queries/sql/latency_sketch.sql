-- latency_sketch: the latency histogram rows (migration 0006) of a window and filters, with the
-- canonical model id; queries/latency.py sums them and reads latency_stats.sql's percentiles
-- from them (within 1% of the exact ones: queries/sketch.py).
-- Grain: one row per stored histogram row kept (hour or block x model x source x workload x
-- sub-agent flag x metric x bucket).
-- Parameters:
--   $top       whether an end is open: then every top-level block (level 7, 8^6 days) from
--              day $top_lo or before day $top_hi (days since 1970-01-01; NULL = no bound)
--   $levels, $starts  the other latency_blocks of whole UTC days in the window
--   $hours     the UTC hours of the window's edge days that are in it (latency_hours), and
--   $edge_lo, $edge_hi  bounds of those hours (so the scan skips the others)
--   $workloads, $models, $sources, $subagent: as in usage_by.sql
-- Kept deliberately flat (no macros, no grouping, no window functions): at this size binding
-- and planning cost more than running, so the sums and ranks are done in Polars and Python.
SELECT
    coalesce(a.model_id, h.model) AS model_id,
    coalesce(h.workload, '(none)') AS workload,
    h.metric,
    h.bucket,
    h.n
FROM (
    SELECT model, source, workload, is_subagent, metric, bucket, n
    FROM latency_blocks
    WHERE $top AND level = 7
      AND ($top_lo IS NULL OR start >= to_timestamp(CAST($top_lo AS BIGINT) * 86400))
      AND ($top_hi IS NULL OR start < to_timestamp(CAST($top_hi AS BIGINT) * 86400))
    UNION ALL
    SELECT model, source, workload, is_subagent, metric, bucket, n
    FROM latency_blocks
    JOIN (SELECT unnest($levels::SMALLINT[]) AS level, unnest($starts::TIMESTAMPTZ[]) AS start)
        USING (level, start)
    UNION ALL
    SELECT model, source, workload, is_subagent, metric, bucket, n
    FROM latency_hours
    WHERE hour >= $edge_lo AND hour < $edge_hi AND list_contains($hours, hour)
) AS h
LEFT JOIN model_aliases AS a ON a.alias = h.model
WHERE ($workloads IS NULL OR list_contains($workloads, coalesce(h.workload, '(none)')))
  AND ($models IS NULL OR list_contains($models, coalesce(a.model_id, h.model)))
  AND ($sources IS NULL OR list_contains($sources, h.source))
  AND ($subagent IS NULL OR h.is_subagent = $subagent)
