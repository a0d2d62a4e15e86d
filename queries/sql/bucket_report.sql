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
-- Usage and cost rows run through one pipeline, tagged by `side`, so the choice of partition
-- and the grouping key are written once.
WITH b AS (
    SELECT 'usage' AS side, CAST(bucket_start AS DATE) AS day, source, grouping, origin,
           loaded_at, model, workspace, api_key, service_tier, context_window, speed,
           inference_geo, requests, uncached_input_tokens, cache_write_5m, cache_write_1h,
           cache_read, output_tokens, web_search_requests, NULL::DECIMAL(38, 12) AS amount_usd
    FROM usage_buckets
    UNION ALL
    SELECT 'cost', CAST(bucket_start AS DATE), source, grouping, origin, loaded_at, model,
           workspace, api_key, service_tier, context_window, speed, inference_geo,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, amount_usd
    FROM cost_buckets
),
f AS (
    SELECT * FROM b
    WHERE ($since IS NULL OR day >= $since) AND ($until IS NULL OR day <= $until)
),
choice AS (
    SELECT side, day, source, grouping, origin FROM (
        SELECT *, row_number() OVER (
            PARTITION BY side, day
            ORDER BY CASE WHEN source LIKE '%-api' THEN 0 WHEN source LIKE '%-report' THEN 1
                          ELSE 2 END,
                     CASE WHEN $dim IS NULL OR list_contains(string_split(grouping, ','), $dim)
                          THEN 0 ELSE 1 END,
                     max_loaded DESC, grouping, origin) AS pick
        FROM (SELECT side, day, source, grouping, origin, max(loaded_at) AS max_loaded
              FROM f GROUP BY ALL)
    ) WHERE pick = 1
),
chosen AS (
    SELECT x.*, coalesce(a.model_id, m.model_id, x.model) AS model_id
    FROM f AS x JOIN choice USING (side, day, source, grouping, origin)
    LEFT JOIN model_aliases AS a ON a.alias = x.model
    LEFT JOIN models AS m ON lower(m.display_name) = x.model
),
grouped AS (
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
        sum(web_search_requests)::BIGINT AS web_search_requests,
        sum(amount_usd)::DECIMAL(38, 12) AS reported_cost_usd
    FROM chosen
    GROUP BY grp
)
SELECT grp, requests, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
       cache_read_tokens, output_tokens, web_search_requests, reported_cost_usd
FROM grouped
ORDER BY CASE WHEN $by IN ('day', 'week', 'month') THEN grp END,
         reported_cost_usd DESC NULLS LAST, grp
