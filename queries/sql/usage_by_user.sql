-- usage_by_user: requests, tokens and exact cost per user, for `switchcost users` (the user is
-- `tags.user`, set from Claude Code telemetry's user.account_uuid or user.email by
-- `switchcost collect` and the otlp-logs reader; other sources have no user: '(none)').
-- Grain: one row per user.
-- Parameters:
--   $since, $until  first and last UTC day included (DATE or NULL for no bound)
-- Reads requests (the rollup has no tags); cost sums priced requests only, unpriced are counted.
WITH u AS (
    SELECT
        coalesce(json_extract_string(tags, '$.user'), '(none)') AS user_id,
        json_extract_string(tags, '$."user.email"') AS email,
        n, input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
        priced, cost_usd,
        try_cast(json_extract_string(tags, '$.reported_cost_usd') AS DECIMAL(38, 12))
            AS reported_cost_usd,
        DATE '1970-01-01' + CAST(epoch_us(ts) // 86400000000 AS INTEGER) AS day
    FROM priced_units(false)
)
SELECT
    user_id AS "user",
    max(email) AS email,
    sum(n)::BIGINT AS requests,
    sum(input_tokens)::BIGINT AS input_tokens,
    sum(cache_write_5m)::BIGINT AS cache_write_5m_tokens,
    sum(cache_write_1h)::BIGINT AS cache_write_1h_tokens,
    sum(cache_read)::BIGINT AS cache_read_tokens,
    sum(output_tokens)::BIGINT AS output_tokens,
    coalesce(sum(cost_usd) FILTER (WHERE priced), 0)::DECIMAL(38, 12) AS cost_usd,
    sum(reported_cost_usd)::DECIMAL(38, 12) AS reported_cost_usd,
    coalesce(sum(n) FILTER (WHERE NOT priced), 0)::BIGINT AS unpriced_requests
FROM u
WHERE ($since IS NULL OR day >= $since) AND ($until IS NULL OR day <= $until)
GROUP BY user_id
ORDER BY cost_usd DESC, user_id
