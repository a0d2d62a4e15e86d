-- dash_overview_hours: the Overview's numbers but its top sessions, from the coarse rollup
-- (usage_hours, migration 0007), whose size does not follow the number of requests.
-- Grain: one row per (dim, group): dim 'total' (one row), 'day_model' (local day x model),
-- 'workload', 'model', 'project' (one row per value, in column grp).
-- Parameters: the shared filters, as in usage_by.sql (the caller checks rollup.usable).
-- The numbers follow dash_overview.sql's rules (tokens summed per group and distinct billing
-- rate, then priced exactly); dash_top_sessions.sql gives the sessions.
WITH f AS (
    -- The coarse groups as they are: summing them by local day, model, workload, project and
    -- rate before the grouping sets (as dash_overview.sql does) cost more than it saved here
    -- (about 150 against 110 ms at 10M requests, idle machine).
    SELECT *
    FROM hour_priced($tz, $since, $until, $workloads, $models, $sources, $subagent, false)
),
g AS (
    SELECT
        CASE
            WHEN grouping(local_day) = 0 THEN 'day_model'
            WHEN grouping(model_id) = 0 THEN 'model'
            WHEN grouping(coalesce(workload, '(none)')) = 0 THEN 'workload'
            WHEN grouping(coalesce(project, '(none)')) = 0 THEN 'project'
            ELSE 'total'
        END AS dim,
        local_day AS day,
        model_id AS model,
        coalesce(coalesce(workload, '(none)'), coalesce(project, '(none)'), model_id) AS grp,
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
    GROUP BY GROUPING SETS (
        (local_day, model_id, priced, bill_input, bill_cache_write_5m, bill_cache_write_1h,
         bill_cache_read, bill_output, multiplier),
        (model_id, priced, bill_input, bill_cache_write_5m, bill_cache_write_1h,
         bill_cache_read, bill_output, multiplier),
        (coalesce(workload, '(none)'), priced, bill_input, bill_cache_write_5m,
         bill_cache_write_1h, bill_cache_read, bill_output, multiplier),
        (coalesce(project, '(none)'), priced, bill_input, bill_cache_write_5m,
         bill_cache_write_1h, bill_cache_read, bill_output, multiplier),
        (priced, bill_input, bill_cache_write_5m, bill_cache_write_1h, bill_cache_read,
         bill_output, multiplier)
    )
)
SELECT
    dim,
    day,
    CASE WHEN dim = 'day_model' THEN model END AS model,
    CASE WHEN dim NOT IN ('day_model', 'total') THEN grp END AS grp,
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
    coalesce(sum(requests) FILTER (WHERE NOT priced), 0)::BIGINT AS unpriced_requests,
    coalesce(sum(
        cache_read * (bill_input - bill_cache_read) * multiplier * 0.000001
    ) FILTER (WHERE priced), 0)::DECIMAL(38, 12) AS cache_savings_usd,
    min(first_day) AS first_day,
    max(last_day) AS last_day
FROM g
GROUP BY ALL
