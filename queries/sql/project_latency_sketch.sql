-- project_latency_sketch: project_latency.sql's per-request projection (the same macro,
-- macros/latency_projection.sql), summed into log buckets (queries/sketch.py, macro
-- sketch_bucket) instead of sorted, so memory stays flat and queries/projection/ reads each
-- percentile within 1% of the exact one.  `project --exact` runs project_latency.sql.
-- Grain: one row per (workload, target, what, bucket): what 0 = current latency, 1 = projected
-- latency, by the bucket of the value (NULL: none or not finite); n requests, of which `moved`
-- moved and `estimated` moved with an estimated time to first token.
-- Parameters: project_latency.sql's, and
--   $current  whether to count current latency here (what 0); false when the caller reads it
--             from the rollup's latency histograms (the same buckets, metric 0), which saves a
--             second aggregation of every timed request
WITH b AS NOT MATERIALIZED (
    SELECT workload, target, lat, moved, estimated, projected_ms
    FROM latency_projection($tz, $since, $until, $workloads, $models, $sources, $subagent,
                            $targets, $tokenizer_factor, $move_all, $move_sub, $ratio_workloads,
                            $ratio_values, $speed_targets, $speed_kinds, $speed_tps, $rel_models,
                            $rel_values)
)
SELECT
    workload, target, 1 AS what, sketch_bucket(projected_ms) AS bucket,
    count(*) AS n,
    count(*) FILTER (WHERE moved) AS moved,
    count(*) FILTER (WHERE estimated) AS estimated
FROM b
GROUP BY ALL
UNION ALL
SELECT
    workload, target, 0 AS what, sketch_bucket(lat) AS bucket,
    count(*) AS n,
    count(*) FILTER (WHERE moved) AS moved,
    count(*) FILTER (WHERE estimated) AS estimated
FROM b
WHERE $current
GROUP BY ALL
