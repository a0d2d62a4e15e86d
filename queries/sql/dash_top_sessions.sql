-- dash_top_sessions: the Overview's top sessions by cost in the filtered window, from the coarse
-- rollup with the session (session_hours, migration 0007).
-- Grain: one row per session (NULL as '(none)', in column grp); the $limit costliest, ties by name.
-- Parameters: the shared filters, as in usage_by.sql (the caller checks rollup.usable), and
--   $limit  how many sessions.
-- Pricing every session exactly (DECIMAL) is most of the work when there are many, so sessions
-- are ranked by an estimate in DOUBLE first; every session whose estimate is within a billionth
-- of the $limit-th largest estimate is priced exactly (the estimate's error is about 1e-15 of the
-- cost, so no session of the exact top $limit, ties included, is left out), as
-- dash_overview.sql prices it: tokens summed per session and distinct billing rate, then priced.
WITH p AS MATERIALIZED (
    SELECT *
    FROM hour_priced($tz, $since, $until, $workloads, $models, $sources, $subagent, true)
),
rough AS (
    SELECT
        coalesce(session_id, '(none)') AS grp,
        coalesce(sum(
            (input_tokens * CAST(bill_input AS DOUBLE)
             + cache_write_5m * CAST(bill_cache_write_5m AS DOUBLE)
             + cache_write_1h * CAST(bill_cache_write_1h AS DOUBLE)
             + cache_read * CAST(bill_cache_read AS DOUBLE)
             + output_tokens * CAST(bill_output AS DOUBLE)) * CAST(multiplier AS DOUBLE)
            * 0.000001
            + web_search_requests * CAST((SELECT web_search_per_1k FROM price_defaults) AS DOUBLE)
            * 0.001
        ) FILTER (WHERE priced), 0) AS estimate
    FROM p
    GROUP BY ALL
),
cut AS (
    SELECT coalesce(min(estimate), 0) AS low
    FROM (SELECT estimate FROM rough ORDER BY estimate DESC LIMIT $limit)
),
g AS (
    SELECT
        coalesce(session_id, '(none)') AS grp,
        priced, bill_input, bill_cache_write_5m, bill_cache_write_1h, bill_cache_read,
        bill_output, multiplier,
        sum(n) AS requests,
        sum(input_tokens) AS input_tokens,
        sum(cache_write_5m) AS cache_write_5m,
        sum(cache_write_1h) AS cache_write_1h,
        sum(cache_read) AS cache_read,
        sum(output_tokens) AS output_tokens,
        sum(web_search_requests) AS web_searches
    FROM p
    WHERE coalesce(session_id, '(none)') IN (
        SELECT grp FROM rough WHERE estimate >= (SELECT low FROM cut) * (1 - 1e-9) - 1e-9
    )
    GROUP BY ALL
)
SELECT
    grp,
    sum(requests)::BIGINT AS requests,
    sum(input_tokens)::BIGINT AS input_tokens,
    sum(cache_write_5m)::BIGINT AS cache_write_5m_tokens,
    sum(cache_write_1h)::BIGINT AS cache_write_1h_tokens,
    sum(cache_read)::BIGINT AS cache_read_tokens,
    sum(output_tokens)::BIGINT AS output_tokens,
    coalesce(sum(
        billed_usd(input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
                   web_searches, bill_input, bill_cache_write_5m, bill_cache_write_1h,
                   bill_cache_read, bill_output, multiplier)
    ) FILTER (WHERE priced), 0)::DECIMAL(38, 12) AS cost_usd,
    coalesce(sum(requests) FILTER (WHERE NOT priced), 0)::BIGINT AS unpriced_requests
FROM g
GROUP BY grp
ORDER BY cost_usd DESC, grp
LIMIT $limit
