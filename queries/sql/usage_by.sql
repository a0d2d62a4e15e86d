-- usage_by: tokens, requests and exact cost per group, for `switchcost report` and the dashboard.
-- Grain: one row per value of the chosen dimension.
-- Parameters:
--   $by        day | week | month | model | workload | project | session | source
--   $tz        IANA time zone for calendar days (e.g. 'UTC', 'Europe/Berlin')
--   $since     first local day included (DATE or NULL for no bound)
--   $until     last local day included (DATE or NULL)
--   $workloads list of workloads to keep, or NULL for all   (likewise $models, $sources)
--   $subagent  true = only sub-agent calls, false = only main-thread calls, NULL = both
-- cost_usd sums only priced requests (exact DECIMAL); unpriced ones are counted, never $0.
WITH f AS (
    SELECT *, timezone($tz, ts) AS local_ts
    FROM priced_requests
    WHERE ($since IS NULL OR CAST(timezone($tz, ts) AS DATE) >= $since)
      AND ($until IS NULL OR CAST(timezone($tz, ts) AS DATE) <= $until)
      AND ($workloads IS NULL OR list_contains($workloads, coalesce(workload, '(none)')))
      AND ($models IS NULL OR list_contains($models, model_id))
      AND ($sources IS NULL OR list_contains($sources, source))
      AND ($subagent IS NULL OR is_subagent = $subagent)
)
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
    count(*) AS requests,
    sum(input_tokens)::BIGINT AS input_tokens,
    sum(cache_write_5m)::BIGINT AS cache_write_5m_tokens,
    sum(cache_write_1h)::BIGINT AS cache_write_1h_tokens,
    sum(cache_read)::BIGINT AS cache_read_tokens,
    sum(output_tokens)::BIGINT AS output_tokens,
    coalesce(sum(cost_usd), 0)::DECIMAL(38, 12) AS cost_usd,
    count(*) FILTER (WHERE NOT priced) AS unpriced_requests
FROM f
GROUP BY grp
ORDER BY CASE WHEN $by IN ('day', 'week', 'month') THEN grp END, cost_usd DESC, grp
