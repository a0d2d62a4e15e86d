-- focus_cost: actual cost in FOCUS Cost and Usage terms (`switchcost export --focus`): exact
-- cost and list unit price of each token type, per day and SKU price; queries/focus.py adds the
-- FOCUS columns that do not depend on the data.
-- Grain: one row per UTC day x model x workload x project x source x token type x SKU price
-- (the distinct billing terms: price row, long-context tier, batch/standard tier, speed,
-- inference geo, endpoint scope, cache-split flag); rows with no tokens of the type are dropped.
-- Token types: input, cache_write_5m, cache_write_1h, cache_read, output, web_search (requests).
-- Parameters:
--   $rollup  read request_groups instead of requests (caller: rollup.usable(conn, 'UTC'); the
--            rollup's UTC hours fall in one UTC day, its bands keep the long-context tier exact)
-- Only priced requests: an unpriced model has no cost (focus_unpriced.sql counts them).
-- Each row's cost is billed_usd() with only its own token type non-zero, so the rows of a request
-- group add up to the group's bill exactly (cost is linear in tokens).
WITH g AS (
    SELECT
        DATE '1970-01-01' + CAST(epoch_us(ts) // 86400000000 AS INTEGER) AS day,
        model_id, platform, endpoint_scope, workload, project, source,
        service_tier, speed, inference_geo, long_context, cache_split_unknown,
        price_effective_from,
        bill_input, bill_cache_write_5m, bill_cache_write_1h, bill_cache_read, bill_output,
        multiplier,
        sum(n) AS requests,
        sum(input_tokens) AS input_tokens,
        sum(cache_write_5m) AS cache_write_5m,
        sum(cache_write_1h) AS cache_write_1h,
        sum(cache_read) AS cache_read,
        sum(output_tokens) AS output_tokens,
        sum(web_search_requests) AS web_searches
    FROM priced_units($rollup)
    WHERE priced
    GROUP BY ALL
),
t AS (
    SELECT g.*, 'input' AS token_type, input_tokens AS quantity, bill_input AS rate,
        billed_usd(input_tokens, 0, 0, 0, 0, 0, bill_input, 0, 0, 0, 0, multiplier) AS cost
    FROM g
    UNION ALL
    SELECT g.*, 'cache_write_5m', cache_write_5m, bill_cache_write_5m,
        billed_usd(0, cache_write_5m, 0, 0, 0, 0, 0, bill_cache_write_5m, 0, 0, 0, multiplier)
    FROM g
    UNION ALL
    SELECT g.*, 'cache_write_1h', cache_write_1h, bill_cache_write_1h,
        billed_usd(0, 0, cache_write_1h, 0, 0, 0, 0, 0, bill_cache_write_1h, 0, 0, multiplier)
    FROM g
    UNION ALL
    SELECT g.*, 'cache_read', cache_read, bill_cache_read,
        billed_usd(0, 0, 0, cache_read, 0, 0, 0, 0, 0, bill_cache_read, 0, multiplier)
    FROM g
    UNION ALL
    SELECT g.*, 'output', output_tokens, bill_output,
        billed_usd(0, 0, 0, 0, output_tokens, 0, 0, 0, 0, 0, bill_output, multiplier)
    FROM g
    UNION ALL
    SELECT g.*, 'web_search', web_searches, NULL,
        billed_usd(0, 0, 0, 0, 0, web_searches, 0, 0, 0, 0, 0, multiplier)
    FROM g
)
SELECT
    day, model_id, platform, endpoint_scope, workload, project, source,
    service_tier, speed, inference_geo, long_context, cache_split_unknown,
    price_effective_from, multiplier, token_type,
    sum(requests)::BIGINT AS requests,
    sum(quantity)::BIGINT AS quantity,
    -- USD per million tokens as billed (before multipliers), and per token or search after them.
    rate AS rate_per_mtok,
    CAST(CASE WHEN token_type = 'web_search'
              THEN (SELECT web_search_per_1k FROM price_defaults) * 0.001
              ELSE rate * multiplier * 0.000001 END AS DECIMAL(38, 18)) AS unit_price,
    sum(cost)::DECIMAL(38, 12) AS cost_usd
FROM t
WHERE quantity > 0
GROUP BY ALL
ORDER BY day, model_id, workload NULLS FIRST, project NULLS FIRST, source, token_type,
    long_context, service_tier NULLS FIRST, speed NULLS FIRST, inference_geo NULLS FIRST,
    endpoint_scope NULLS FIRST, cache_split_unknown, price_effective_from
