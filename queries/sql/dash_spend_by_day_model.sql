-- dash_spend_by_day_model: spend per local day and model for the filtered window (stacked chart).
-- Grain: one row per (local day, model).
-- Parameters: the shared filters, as in usage_by.sql:
--   $tz, $since, $until (local days, inclusive, NULL = open), $workloads, $models, $sources
--   (lists or NULL for all), $subagent (true / false / NULL for both), $rollup.
WITH f AS (
    SELECT *
    FROM filtered_units($tz, $since, $until, $workloads, $models, $sources, $subagent, $rollup)
),
g AS (
    SELECT
        local_day, model_id, priced, bill_input, bill_cache_write_5m, bill_cache_write_1h,
        bill_cache_read, bill_output, multiplier,
        sum(n) AS requests,
        sum(input_tokens) AS input_tokens,
        sum(cache_write_5m) AS cache_write_5m,
        sum(cache_write_1h) AS cache_write_1h,
        sum(cache_read) AS cache_read,
        sum(output_tokens) AS output_tokens,
        sum(web_search_requests) AS web_searches
    FROM f
    GROUP BY ALL
)
-- Priced per distinct billing rate after summing tokens: exact and cheap (see usage_by.sql).
SELECT
    local_day AS day,
    model_id AS model,
    sum(requests)::BIGINT AS requests,
    coalesce(sum(
        billed_usd(input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
                   web_searches, bill_input, bill_cache_write_5m, bill_cache_write_1h,
                   bill_cache_read, bill_output, multiplier)
    ) FILTER (WHERE priced), 0)::DECIMAL(38, 12) AS cost_usd,
    coalesce(sum(requests) FILTER (WHERE NOT priced), 0)::BIGINT AS unpriced_requests
FROM g
GROUP BY ALL
ORDER BY day, model
