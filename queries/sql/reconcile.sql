-- reconcile: per UTC day and model, the cost computed from request logs beside the cost
-- Anthropic reports, and the gap (reported - computed).
-- Grain: one row per (day, model) present on either side.
-- Parameters:
--   $since  first UTC day (DATE or NULL)
--   $until  last UTC day (DATE or NULL)
-- Rules:
--   * computed side: priced_requests on Anthropic's own platform only (Bedrock / Vertex traffic
--     is billed by the cloud, not in Anthropic's report); token cost per model, web search
--     cost on its own '(web search)' row, as Anthropic reports it; unpriced requests counted;
--   * reported side: cost_buckets with 1-day buckets; per day ONE (source, grouping, origin) is
--     read - each is a complete partition of that day's cost - preferring the analytics API,
--     then the legacy cost report, then the most recently loaded Console CSV, and a grouping
--     that holds cost_type (so web search and other non-token costs are recognised);
--   * model names (API ids, dated ids, Console display names) map through the price tables;
--   * reported_usd is NULL on days with no reported cost at all (not fetched), 0 when the
--     report has the day but not this model.  A positive gap is traffic no log covers (or a
--     price set too low); a negative one, a price too high or a log covering other accounts.
WITH logged AS (
    SELECT
        CAST(ts AS DATE) AS day,
        model_id,
        count(*) AS requests,
        count(*) FILTER (WHERE NOT priced) AS unpriced,
        sum(web_search_requests) * (SELECT web_search_per_1k FROM price_defaults) * 0.001
            AS web_usd,
        sum(cost_usd) AS cost_usd
    FROM priced_requests
    WHERE platform = 'anthropic'
      AND ($since IS NULL OR CAST(ts AS DATE) >= $since)
      AND ($until IS NULL OR CAST(ts AS DATE) <= $until)
    GROUP BY ALL
),
computed AS (
    SELECT day, model_id AS model, requests, unpriced, cost_usd - web_usd AS computed_usd
    FROM logged
    UNION ALL
    SELECT day, '(web search)', 0, 0, sum(web_usd)
    FROM logged GROUP BY day HAVING sum(web_usd) > 0
),
daily AS (
    SELECT *, CAST(bucket_start AS DATE) AS day
    FROM cost_buckets
    WHERE bucket_end - bucket_start = INTERVAL 1 DAY
      AND ($since IS NULL OR CAST(bucket_start AS DATE) >= $since)
      AND ($until IS NULL OR CAST(bucket_start AS DATE) <= $until)
),
choice AS (
    SELECT day, source, grouping, origin FROM (
        SELECT day, source, grouping, origin,
            row_number() OVER (
                PARTITION BY day
                ORDER BY CASE source WHEN 'cost-api' THEN 0 WHEN 'cost-report' THEN 1 ELSE 2 END,
                         CASE WHEN list_contains(string_split(grouping, ','), 'cost_type')
                              THEN 0 ELSE 1 END,
                         max_loaded DESC, grouping, origin) AS pick
        FROM (SELECT day, source, grouping, origin, max(loaded_at) AS max_loaded
              FROM daily GROUP BY ALL)
    ) WHERE pick = 1
),
reported_rows AS (
    SELECT
        d.day,
        CASE
            WHEN d.cost_type = 'web_search' THEN '(web search)'
            WHEN d.cost_type IS NOT NULL AND d.cost_type <> 'tokens'
                THEN '(' || d.cost_type || ')'
            WHEN d.model IS NULL THEN '(other)'
            ELSE coalesce(a.model_id, m.model_id, d.model)
        END AS model,
        d.amount_usd
    FROM daily AS d
    JOIN choice USING (day, source, grouping, origin)
    LEFT JOIN model_aliases AS a ON a.alias = d.model
    LEFT JOIN models AS m ON lower(m.display_name) = d.model
),
reported AS (
    SELECT day, model, sum(amount_usd) AS reported_usd FROM reported_rows GROUP BY ALL
),
keys AS (
    SELECT day, model FROM computed UNION SELECT day, model FROM reported
)
SELECT
    strftime(k.day, '%Y-%m-%d') AS day,
    k.model,
    coalesce(c.requests, 0)::BIGINT AS logged_requests,
    coalesce(c.unpriced, 0)::BIGINT AS unpriced_requests,
    coalesce(c.computed_usd, 0)::DECIMAL(38, 12) AS computed_usd,
    CASE WHEN k.day IN (SELECT day FROM choice)
         THEN coalesce(r.reported_usd, 0) END::DECIMAL(38, 12) AS reported_usd,
    CASE WHEN k.day IN (SELECT day FROM choice)
         THEN coalesce(r.reported_usd, 0) - coalesce(c.computed_usd, 0) END::DECIMAL(38, 12)
        AS gap_usd
FROM keys AS k
LEFT JOIN computed AS c USING (day, model)
LEFT JOIN reported AS r USING (day, model)
ORDER BY k.day, k.model
