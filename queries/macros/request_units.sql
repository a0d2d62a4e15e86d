-- table macro request_units(use_rollup): what pricing and filtering run over - every
-- stored request, or the rollup (request_groups) standing in for them.  Both give the same columns:
-- `n` requests, token sums, and band values tested against thresholds (for one request, its own
-- values; for a group, the smallest value of its band, so `band > T` decides exactly as each
-- request would).
-- Grain: one row per request (use_rollup false) or per request group (true).
-- Created per connection as a table macro; the branch not taken is pruned by the planner.
SELECT
    requests.*,
    1 AS n,
    input_tokens + cache_write_5m + cache_write_1h + cache_read AS prompt_band,
    cache_write_5m + cache_write_1h + cache_read AS cached_band,
    output_tokens AS output_band,
    false AS grouped
FROM requests
WHERE NOT use_rollup
UNION ALL BY NAME
SELECT
    hour AS ts, model, platform, endpoint_scope, source, project, workload, session_id,
    is_subagent, service_tier, speed, inference_geo, cache_split_unknown,
    input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
    web_search_requests,
    requests AS n,
    prompt_band, cached_band, output_band,
    true AS grouped
FROM request_groups
WHERE use_rollup
