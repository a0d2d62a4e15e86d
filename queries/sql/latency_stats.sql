-- latency_stats: how fast requests were, from logs that carry timing.
-- Grain: one row per model or per workload ($by).
-- Parameters:
--   $by  'model' | 'workload'
--   $tz, $since, $until, $workloads, $models, $sources, $subagent: as in usage_by.sql
-- Percentiles are continuous (linear interpolation, numpy's default). Output speed is
-- output_tokens / (latency_ms - ttft_ms), the generation phase only, for requests with both
-- timings, a positive generation time and at least one output token.
WITH f AS (
    SELECT
        CASE $by WHEN 'model' THEN model_id ELSE coalesce(workload, '(none)') END AS grp,
        CAST(latency_ms AS DOUBLE) AS latency_ms,
        CAST(ttft_ms AS DOUBLE) AS ttft_ms,
        CASE WHEN latency_ms > ttft_ms AND output_tokens > 0
             THEN output_tokens / ((latency_ms - ttft_ms) / 1000.0) END AS tokens_per_s
    FROM filtered_units($tz, $since, $until, $workloads, $models, $sources, $subagent, false)
)
SELECT
    grp,
    count(*) AS requests,
    count(latency_ms) AS latency_samples,
    quantile_cont(latency_ms, 0.50) AS latency_p50_ms,
    quantile_cont(latency_ms, 0.95) AS latency_p95_ms,
    quantile_cont(latency_ms, 0.99) AS latency_p99_ms,
    count(ttft_ms) AS ttft_samples,
    quantile_cont(ttft_ms, 0.50) AS ttft_p50_ms,
    quantile_cont(ttft_ms, 0.95) AS ttft_p95_ms,
    quantile_cont(ttft_ms, 0.99) AS ttft_p99_ms,
    count(tokens_per_s) AS speed_samples,
    quantile_cont(tokens_per_s, 0.50) AS tokens_per_s_p50,
    quantile_cont(tokens_per_s, 0.95) AS tokens_per_s_p95,
    quantile_cont(tokens_per_s, 0.99) AS tokens_per_s_p99
FROM f
GROUP BY grp
HAVING count(latency_ms) > 0 OR count(ttft_ms) > 0
ORDER BY grp
