-- bucket_report: Anthropic's reported usage and cost (usage_buckets / cost_buckets) per group,
-- for `switchcost report --source usage-api` / `switchcost report-api`.
-- Grain: one row per value of the chosen dimension.
-- Parameters:
--   $by     day | week | month | model | workspace | api_key | service_tier | context_window
--           | speed | inference_geo
--   $dim    the API group field behind $by (workspace_id, api_key_id, ...) or NULL for time/model
--   $since  first UTC day (DATE or NULL)
--   $until  last UTC day (DATE or NULL)
-- Rules: per day and per table ONE (source, grouping, origin) is read - each is a complete
-- partition of the day - preferring the analytics API, then the legacy report, then the most
-- recently loaded Console CSV, and among groupings one that holds $dim.  Buckets finer than a
-- day are summed into their day.  Model names map through the price tables.
WITH u AS (
    SELECT *, CAST(bucket_start AS DATE) AS day FROM usage_buckets
    WHERE ($since IS NULL OR CAST(bucket_start AS DATE) >= $since)
      AND ($until IS NULL OR CAST(bucket_start AS DATE) <= $until)
),
c AS (
    SELECT *, CAST(bucket_start AS DATE) AS day FROM cost_buckets
    WHERE ($since IS NULL OR CAST(bucket_start AS DATE) >= $since)
      AND ($until IS NULL OR CAST(bucket_start AS DATE) <= $until)
),
u_choice AS (
    SELECT day, source, grouping, origin FROM (
        SELECT *, row_number() OVER (
            PARTITION BY day
            ORDER BY CASE source WHEN 'usage-api' THEN 0 WHEN 'usage-report' THEN 1 ELSE 2 END,
                     CASE WHEN $dim IS NULL OR list_contains(string_split(grouping, ','), $dim)
                          THEN 0 ELSE 1 END,
                     max_loaded DESC, grouping, origin) AS pick
        FROM (SELECT day, source, grouping, origin, max(loaded_at) AS max_loaded
              FROM u GROUP BY ALL)
    ) WHERE pick = 1
),
c_choice AS (
    SELECT day, source, grouping, origin FROM (
        SELECT *, row_number() OVER (
            PARTITION BY day
            ORDER BY CASE source WHEN 'cost-api' THEN 0 WHEN 'cost-report' THEN 1 ELSE 2 END,
                     CASE WHEN $dim IS NULL OR list_contains(string_split(grouping, ','), $dim)
                          THEN 0 ELSE 1 END,
                     max_loaded DESC, grouping, origin) AS pick
        FROM (SELECT day, source, grouping, origin, max(loaded_at) AS max_loaded
              FROM c GROUP BY ALL)
    ) WHERE pick = 1
),
u_rows AS (
    SELECT x.*, coalesce(a.model_id, m.model_id, x.model) AS model_id
    FROM u AS x JOIN u_choice USING (day, source, grouping, origin)
    LEFT JOIN model_aliases AS a ON a.alias = x.model
    LEFT JOIN models AS m ON lower(m.display_name) = x.model
),
c_rows AS (
    SELECT x.*, coalesce(a.model_id, m.model_id, x.model) AS model_id
    FROM c AS x JOIN c_choice USING (day, source, grouping, origin)
    LEFT JOIN model_aliases AS a ON a.alias = x.model
    LEFT JOIN models AS m ON lower(m.display_name) = x.model
),
u_grp AS (
    SELECT
        CASE $by
            WHEN 'day' THEN strftime(day, '%Y-%m-%d')
            WHEN 'week' THEN strftime(date_trunc('week', day), '%Y-%m-%d')
            WHEN 'month' THEN strftime(day, '%Y-%m')
            WHEN 'model' THEN coalesce(model_id, '(none)')
            WHEN 'workspace' THEN coalesce(workspace, '(none)')
            WHEN 'api_key' THEN coalesce(api_key, '(none)')
            WHEN 'service_tier' THEN coalesce(service_tier, '(none)')
            WHEN 'context_window' THEN coalesce(context_window, '(none)')
            WHEN 'speed' THEN coalesce(speed, '(none)')
            WHEN 'inference_geo' THEN coalesce(inference_geo, '(none)')
        END AS grp,
        sum(requests)::BIGINT AS requests,
        sum(uncached_input_tokens)::BIGINT AS input_tokens,
        sum(cache_write_5m)::BIGINT AS cache_write_5m_tokens,
        sum(cache_write_1h)::BIGINT AS cache_write_1h_tokens,
        sum(cache_read)::BIGINT AS cache_read_tokens,
        sum(output_tokens)::BIGINT AS output_tokens,
        sum(web_search_requests)::BIGINT AS web_search_requests
    FROM u_rows GROUP BY grp
),
c_grp AS (
    SELECT
        CASE $by
            WHEN 'day' THEN strftime(day, '%Y-%m-%d')
            WHEN 'week' THEN strftime(date_trunc('week', day), '%Y-%m-%d')
            WHEN 'month' THEN strftime(day, '%Y-%m')
            WHEN 'model' THEN coalesce(model_id, '(none)')
            WHEN 'workspace' THEN coalesce(workspace, '(none)')
            WHEN 'api_key' THEN coalesce(api_key, '(none)')
            WHEN 'service_tier' THEN coalesce(service_tier, '(none)')
            WHEN 'context_window' THEN coalesce(context_window, '(none)')
            WHEN 'speed' THEN coalesce(speed, '(none)')
            WHEN 'inference_geo' THEN coalesce(inference_geo, '(none)')
        END AS grp,
        sum(amount_usd)::DECIMAL(38, 12) AS reported_cost_usd
    FROM c_rows GROUP BY grp
)
SELECT grp, requests, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
       cache_read_tokens, output_tokens, web_search_requests, reported_cost_usd
FROM u_grp FULL OUTER JOIN c_grp USING (grp)
ORDER BY CASE WHEN $by IN ('day', 'week', 'month') THEN grp END,
         reported_cost_usd DESC NULLS LAST, grp
