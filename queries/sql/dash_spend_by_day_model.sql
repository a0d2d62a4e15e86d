-- dash_spend_by_day_model: spend per local day and model for the filtered window (stacked chart).
-- Grain: one row per (local day, model).
-- Parameters: the shared filters, as in usage_by.sql:
--   $tz, $since, $until (local days, inclusive, NULL = open), $workloads, $models, $sources
--   (lists or NULL for all), $subagent (true / false / NULL for both).
WITH f AS (
    SELECT *, CAST(timezone($tz, ts) AS DATE) AS local_day
    FROM priced_requests
    WHERE ($since IS NULL OR CAST(timezone($tz, ts) AS DATE) >= $since)
      AND ($until IS NULL OR CAST(timezone($tz, ts) AS DATE) <= $until)
      AND ($workloads IS NULL OR list_contains($workloads, coalesce(workload, '(none)')))
      AND ($models IS NULL OR list_contains($models, model_id))
      AND ($sources IS NULL OR list_contains($sources, source))
      AND ($subagent IS NULL OR is_subagent = $subagent)
)
SELECT
    local_day AS day,
    model_id AS model,
    count(*) AS requests,
    coalesce(sum(cost_usd), 0)::DECIMAL(38, 12) AS cost_usd,
    count(*) FILTER (WHERE NOT priced) AS unpriced_requests
FROM f
GROUP BY ALL
ORDER BY day, model
