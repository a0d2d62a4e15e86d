-- usage_by: tokens, requests and exact cost per group, for `switchcost report` and the dashboard.
-- Grain: one row per value of the chosen dimension.
-- Parameters:
--   $by        day | week | month | model | workload | project | session | source
--   $tz        IANA time zone for calendar days (e.g. 'UTC', 'Europe/Berlin')
--   $since     first local day included (DATE or NULL for no bound)
--   $until     last local day included (DATE or NULL)
--   $workloads list of workloads to keep, or NULL for all   (likewise $models, $sources)
--   $subagent  true = only sub-agent calls, false = only main-thread calls, NULL = both
--   $rollup    true = read request_groups (when rollup.usable says it is exact), false = requests
-- cost_usd sums only priced requests (exact DECIMAL); unpriced ones are counted, never $0.
WITH f AS (
    SELECT *
    FROM filtered_units($tz, $since, $until, $workloads, $models, $sources, $subagent, $rollup)
),
-- Tokens are summed per group and per distinct billing rate first, then priced: exact (cost
-- is linear in tokens) and much cheaper than pricing each request.
g AS (
    SELECT
        CASE $by
            WHEN 'day' THEN strftime(local_ts, '%Y-%m-%d')
            WHEN 'week' THEN strftime(date_trunc('week', local_ts), '%Y-%m-%d')
            WHEN 'month' THEN strftime(local_ts, '%Y-%m')
            WHEN 'model' THEN model_id
            WHEN 'workload' THEN coalesce(workload, '(none)')
            WHEN 'project' THEN coalesce(project, '(none)')
            WHEN 'session' THEN coalesce(session_id, '(none)')
            WHEN 'source' THEN source
        END AS grp,
        priced, bill_input, bill_cache_write_5m, bill_cache_write_1h, bill_cache_read,
        bill_output, multiplier,
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
ORDER BY CASE WHEN $by IN ('day', 'week', 'month') THEN grp END, cost_usd DESC, grp
