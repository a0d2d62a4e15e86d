-- dash_kpis: the Overview headline numbers for the filtered window.
-- Grain: one row.
-- Parameters: the shared filters, as in usage_by.sql:
--   $tz, $since, $until (local days, inclusive, NULL = open), $workloads, $models, $sources
--   (lists or NULL for all), $subagent (true / false / NULL for both), $rollup.
-- cache_savings_usd: what the cache reads would have cost as uncached input minus what they cost,
-- at the same price row, tier and multipliers (priced requests only; exact DECIMAL).
WITH f AS (
    SELECT *
    FROM filtered_units($tz, $since, $until, $workloads, $models, $sources, $subagent, $rollup)
),
-- Tokens are summed per distinct billing rate first and priced once per rate: exact (cost is
-- linear in tokens) and far cheaper than pricing each of a million rows.
g AS (
    SELECT
        priced, bill_input, bill_cache_write_5m, bill_cache_write_1h, bill_cache_read,
        bill_output, multiplier,
        sum(n) AS requests,
        sum(input_tokens) AS input_tokens,
        sum(cache_write_5m) AS cache_write_5m,
        sum(cache_write_1h) AS cache_write_1h,
        sum(cache_read) AS cache_read,
        sum(output_tokens) AS output_tokens,
        sum(web_search_requests) AS web_searches,
        min(local_day) AS first_day,
        max(local_day) AS last_day
    FROM f
    GROUP BY ALL
)
SELECT
    coalesce(sum(requests), 0)::BIGINT AS requests,
    coalesce(sum(requests) FILTER (WHERE NOT priced), 0)::BIGINT AS unpriced_requests,
    coalesce(sum(input_tokens), 0)::BIGINT AS input_tokens,
    coalesce(sum(cache_write_5m), 0)::BIGINT AS cache_write_5m_tokens,
    coalesce(sum(cache_write_1h), 0)::BIGINT AS cache_write_1h_tokens,
    coalesce(sum(cache_read), 0)::BIGINT AS cache_read_tokens,
    coalesce(sum(output_tokens), 0)::BIGINT AS output_tokens,
    coalesce(sum(
        billed_usd(input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
                   web_searches, bill_input, bill_cache_write_5m, bill_cache_write_1h,
                   bill_cache_read, bill_output, multiplier)
    ) FILTER (WHERE priced), 0)::DECIMAL(38, 12) AS cost_usd,
    coalesce(sum(
        cache_read * (bill_input - bill_cache_read) * multiplier * 0.000001
    ) FILTER (WHERE priced), 0)::DECIMAL(38, 12) AS cache_savings_usd,
    min(first_day) AS first_day,
    max(last_day) AS last_day
FROM g
