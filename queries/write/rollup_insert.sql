-- rollup_insert: recompute request_groups for the touched hours (or all of them), or fold one
-- run's new requests into the groups of their hours.
-- Grain: one row per UTC hour x grouping attributes x bands (see migration 0003).
-- Parameters:
--   $full                    true = every request
--   $add                     true = the groups saved in rollup_old plus the requests of run $run
--                            (exact when the run updated no stored request: queries/rollup.py);
--                            false with $full false = every request of the hours in rollup_hours
--   $run                     the ingest run (used with $add)
--   $prompt, $cached, $output  sorted boundary lists (rollup_bounds.sql)
-- A band is the smallest value of the band a request's value falls in: the largest boundary
-- below the value, plus one; 0 when no boundary is below it.
WITH fresh AS (
    SELECT
        *,
        to_timestamp(epoch_us(ts) // 3600000000 * 3600) AS hour,
        input_tokens + cache_write_5m + cache_write_1h + cache_read AS prompt,
        cache_write_5m + cache_write_1h + cache_read AS cached
    FROM requests
    WHERE $full
       OR ($add AND run_id = $run)
       OR (NOT $add
           AND ts >= (SELECT min(hour) FROM rollup_hours)
           AND ts < (SELECT max(hour) FROM rollup_hours) + INTERVAL 1 HOUR
           AND to_timestamp(epoch_us(ts) // 3600000000 * 3600) IN (SELECT hour FROM rollup_hours))
),
units AS (
    SELECT
        hour, model, platform, endpoint_scope, source, project, workload, session_id,
        is_subagent, service_tier, speed, inference_geo, cache_split_unknown,
        coalesce(list_max(list_filter($prompt, lambda b: b < prompt)) + 1, 0) AS prompt_band,
        coalesce(list_max(list_filter($cached, lambda b: b < cached)) + 1, 0) AS cached_band,
        coalesce(list_max(list_filter($output, lambda b: b < output_tokens)) + 1, 0)
            AS output_band,
        1 AS requests, input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
        web_search_requests
    FROM fresh
    UNION ALL
    SELECT * FROM rollup_old WHERE $add
)
INSERT INTO request_groups
SELECT
    hour, model, platform, endpoint_scope, source, project, workload, session_id, is_subagent,
    service_tier, speed, inference_geo, cache_split_unknown, prompt_band, cached_band,
    output_band,
    sum(requests)::BIGINT,
    sum(input_tokens)::BIGINT,
    sum(cache_write_5m)::BIGINT,
    sum(cache_write_1h)::BIGINT,
    sum(cache_read)::BIGINT,
    sum(output_tokens)::BIGINT,
    sum(web_search_requests)::BIGINT
FROM units
GROUP BY ALL
