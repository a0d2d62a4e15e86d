-- dash_price_table: the prices in force for this connection, with source and effective date.
-- Grain: one row per (model, effective_from); rates are USD per million tokens.
-- Parameters: none.
SELECT
    p.model_id AS model, m.display_name, p.effective_from,
    p.rate_input AS input, p.rate_output AS output,
    p.rate_cache_write_5m AS cache_write_5m, p.rate_cache_write_1h AS cache_write_1h,
    p.rate_cache_read AS cache_read, p.long_context_threshold, p.batch_multiplier,
    p.confirmed, p.source
FROM prices AS p
LEFT JOIN models AS m ON m.model_id = p.model_id
ORDER BY m.family, p.model_id, p.effective_from
