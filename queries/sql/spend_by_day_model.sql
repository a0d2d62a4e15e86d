-- spend_by_day_model: daily spend per model (the shape ccusage's `daily --breakdown` gives).
-- Grain: one row per (local day, model).
-- Parameters: $tz (IANA zone for calendar days).
SELECT
    strftime(timezone($tz, ts), '%Y-%m-%d') AS day,
    model_id AS model,
    count(*) AS requests,
    sum(input_tokens)::BIGINT AS input_tokens,
    sum(cache_write_5m)::BIGINT AS cache_write_5m_tokens,
    sum(cache_write_1h)::BIGINT AS cache_write_1h_tokens,
    sum(cache_read)::BIGINT AS cache_read_tokens,
    sum(output_tokens)::BIGINT AS output_tokens,
    coalesce(sum(cost_usd), 0)::DECIMAL(38, 12) AS cost_usd,
    count(*) FILTER (WHERE NOT priced) AS unpriced_requests
FROM priced_requests
GROUP BY ALL
ORDER BY day, model
