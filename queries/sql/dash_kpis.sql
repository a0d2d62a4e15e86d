-- dash_kpis: the Overview headline numbers for the filtered window.
-- Grain: one row.
-- Parameters: the shared filters, as in usage_by.sql:
--   $tz, $since, $until (local days, inclusive, NULL = open), $workloads, $models, $sources
--   (lists or NULL for all), $subagent (true / false / NULL for both).
-- cache_savings_usd: what the cache reads would have cost as uncached input minus what they cost,
-- at the same price row, tier and multipliers (priced requests only; exact DECIMAL).
WITH f AS (
    SELECT *, CAST(timezone($tz, ts) AS DATE) AS local_day
    FROM priced_requests
    WHERE ($since IS NULL OR CAST(timezone($tz, ts) AS DATE) >= $since)
      AND ($until IS NULL OR CAST(timezone($tz, ts) AS DATE) <= $until)
      AND ($workloads IS NULL OR list_contains($workloads, coalesce(workload, '(none)')))
      AND ($models IS NULL OR list_contains($models, model_id))
      AND ($sources IS NULL OR list_contains($sources, source))
      AND ($subagent IS NULL OR is_subagent = $subagent)
),
rated AS (
    SELECT
        f.*,
        CASE WHEN f.long_context THEN p.lc_rate_input ELSE p.rate_input END AS in_rate,
        CASE WHEN f.long_context THEN p.lc_rate_cache_read ELSE p.rate_cache_read END AS read_rate
    FROM f
    LEFT JOIN prices AS p
      ON p.model_id = f.priced_model AND p.effective_from = f.price_effective_from
)
SELECT
    count(*) AS requests,
    count(*) FILTER (WHERE NOT priced) AS unpriced_requests,
    coalesce(sum(input_tokens), 0)::BIGINT AS input_tokens,
    coalesce(sum(cache_write_5m), 0)::BIGINT AS cache_write_5m_tokens,
    coalesce(sum(cache_write_1h), 0)::BIGINT AS cache_write_1h_tokens,
    coalesce(sum(cache_read), 0)::BIGINT AS cache_read_tokens,
    coalesce(sum(output_tokens), 0)::BIGINT AS output_tokens,
    coalesce(sum(cost_usd), 0)::DECIMAL(38, 12) AS cost_usd,
    coalesce(sum(
        CAST(cache_read * (in_rate - read_rate) * multiplier * 0.000001 AS DECIMAL(38, 12))
    ) FILTER (WHERE priced), 0)::DECIMAL(38, 12) AS cache_savings_usd,
    min(local_day) AS first_day,
    max(local_day) AS last_day
FROM rated
