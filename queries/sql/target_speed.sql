-- target_speed: each target model's measured output speed, for projecting latency onto it.
-- Grain: one row per target model that has timed requests in the window.
-- Parameters:
--   $tz, $since, $until, $sources  as in usage_by.sql (the window the speed is measured in)
--   $targets   canonical model ids of the targets (the only models read)
-- The same definition as latency_stats.sql: output_tokens / generation seconds, for requests
-- with both timings, a positive generation time and at least one output token; the median is
-- continuous.  latency_stats computes nine percentiles per model and per workload; this is the
-- one number the projection needs (a third of the time at 1M requests).
SELECT
    model_id AS model,
    count(*) AS speed_samples,
    quantile_cont(output_tokens / ((latency_ms - ttft_ms) / 1000.0), 0.5) AS tokens_per_s_p50
FROM located_units($tz, $since, $until, NULL, $targets, $sources, NULL, false)
WHERE latency_ms > ttft_ms AND output_tokens > 0
GROUP BY model_id
ORDER BY model_id
