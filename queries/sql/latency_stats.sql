-- latency_stats: how fast requests were, from logs that carry timing, by model and by workload.
-- Grain: one row per model (dim 'model') and one per workload (dim 'workload'); the value is
-- in grp, `requests` counts timed and untimed.  Groups with no timed request are left out.
-- Parameters:
--   $tz, $since, $until, $workloads, $models, $sources, $subagent: as in usage_by.sql
-- Percentiles are continuous (linear interpolation, numpy's default), each column sorted once
-- for its three percentiles.  Output speed is output_tokens / (latency_ms - ttft_ms), the
-- generation phase only, for requests with both timings, a positive generation time and at
-- least one output token.  Per request, so it reads requests, never the rollup.
WITH f AS (
    SELECT
        model_id,
        coalesce(workload, '(none)') AS workload,
        CAST(latency_ms AS DOUBLE) AS latency_ms,
        CAST(ttft_ms AS DOUBLE) AS ttft_ms,
        CASE WHEN latency_ms > ttft_ms AND output_tokens > 0
             THEN output_tokens / ((latency_ms - ttft_ms) / 1000.0) END AS tokens_per_s
    FROM located_units($tz, $since, $until, $workloads, $models, $sources, $subagent, false)
),
g AS (
    SELECT
        CASE WHEN grouping(model_id) = 0 THEN 'model' ELSE 'workload' END AS dim,
        coalesce(model_id, workload) AS grp,
        count(*) AS requests,
        count(latency_ms) AS latency_samples,
        quantile_cont(latency_ms, [0.50, 0.95, 0.99]) AS lat,
        count(ttft_ms) AS ttft_samples,
        quantile_cont(ttft_ms, [0.50, 0.95, 0.99]) AS ttft,
        count(tokens_per_s) AS speed_samples,
        quantile_cont(tokens_per_s, [0.50, 0.95, 0.99]) AS tps
    FROM f
    GROUP BY GROUPING SETS ((model_id), (workload))
    HAVING count(latency_ms) > 0 OR count(ttft_ms) > 0
)
SELECT
    dim,
    grp,
    requests,
    latency_samples,
    lat[1] AS latency_p50_ms,
    lat[2] AS latency_p95_ms,
    lat[3] AS latency_p99_ms,
    ttft_samples,
    ttft[1] AS ttft_p50_ms,
    ttft[2] AS ttft_p95_ms,
    ttft[3] AS ttft_p99_ms,
    speed_samples,
    tps[1] AS tokens_per_s_p50,
    tps[2] AS tokens_per_s_p95,
    tps[3] AS tokens_per_s_p99
FROM g
ORDER BY dim, grp
