-- levers_batch: each workload's cost now and what it would cost sent through the Batch API.
-- Grain: one row per workload (priced requests only).
-- Parameters: $tz, $since, $until, $workloads, $models, $sources, $subagent, $rollup as in
-- usage_by.sql.
-- Rules: a request already batched keeps its cost; any other request's token cost is priced at
-- its price row's batch_multiplier (0.5 for every Claude model), at standard speed (fast mode
-- is never available in batch); web searches keep their flat price (no multiplier touches it).
WITH u AS (
    SELECT
        coalesce(f.workload, '(none)') AS workload, f.n, f.service_tier = 'batch' AS batched,
        f.cost_usd,
        CAST(f.web_search_requests * (SELECT web_search_per_1k FROM price_defaults) * 0.001
             AS DECIMAL(38, 12)) AS web_usd,
        CASE WHEN f.speed = 'fast' THEN coalesce(p.fast_multiplier, 1) ELSE 1 END AS fast,
        coalesce(p.batch_multiplier, 1) AS batch_multiplier
    FROM filtered_units($tz, $since, $until, $workloads, $models, $sources, $subagent, $rollup)
        AS f
    LEFT JOIN prices AS p
        ON p.model_id = f.priced_model AND p.effective_from = f.price_effective_from
    WHERE f.priced
)
SELECT
    workload,
    CAST(sum(n) AS BIGINT) AS requests,
    CAST(coalesce(sum(n) FILTER (WHERE batched), 0) AS BIGINT) AS batch_requests,
    CAST(sum(cost_usd) AS DECIMAL(38, 12)) AS cost_usd,
    CAST(sum(web_usd) AS DECIMAL(38, 12)) AS web_usd,
    CAST(sum(CASE WHEN batched THEN 0 ELSE cost_usd - web_usd END) AS DECIMAL(38, 12))
        AS unbatched_token_usd,
    CAST(sum(CASE WHEN batched THEN cost_usd
                  ELSE web_usd + (cost_usd - web_usd) / fast * batch_multiplier END)
         AS DECIMAL(38, 12)) AS batch_usd
FROM u
GROUP BY workload
ORDER BY workload
