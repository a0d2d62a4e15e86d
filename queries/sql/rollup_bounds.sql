-- rollup_bounds: every per-request threshold in this connection's price tables, by the value it
-- is tested against, each written as "value > boundary" (so `< min_cacheable` becomes
-- `> min_cacheable - 1`, and "has cached tokens" is `> 0`).  The rollup's bands split at these.
-- Grain: one row (three sorted lists).
-- Parameters: none.
WITH b AS (
    SELECT 'prompt' AS kind, long_context_threshold AS b FROM prices
    UNION SELECT 'prompt', context_window FROM models
    UNION SELECT 'cached', 0
    UNION SELECT 'cached', min_cacheable_tokens - 1 FROM models
    UNION SELECT 'output', max_output_tokens FROM models
)
SELECT
    coalesce(list_sort(list(b) FILTER (WHERE kind = 'prompt' AND b >= 0)), [])::BIGINT[]
        AS prompt,
    coalesce(list_sort(list(b) FILTER (WHERE kind = 'cached' AND b >= 0)), [])::BIGINT[]
        AS cached,
    coalesce(list_sort(list(b) FILTER (WHERE kind = 'output' AND b >= 0)), [])::BIGINT[]
        AS output
FROM b
