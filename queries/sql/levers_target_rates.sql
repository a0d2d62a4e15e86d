-- levers_target_rates: each target's cache and batch terms from its latest price row (a
-- switch's cache rebuild happens now, at today's prices).
-- Grain: one row per target model.
-- Parameters: $targets (canonical model ids).
SELECT
    model_id AS target,
    arg_max(rate_cache_write_5m, effective_from) AS cache_write_5m,
    arg_max(rate_cache_write_1h, effective_from) AS cache_write_1h,
    arg_max(rate_cache_read, effective_from) AS cache_read,
    arg_max(coalesce(batch_multiplier, 1), effective_from) AS batch_multiplier
FROM prices
WHERE list_contains($targets, model_id)
GROUP BY model_id
ORDER BY model_id
