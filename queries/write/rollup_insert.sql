-- rollup_insert: recompute request_groups from requests for the touched hours (or all of them).
-- Grain: one row per UTC hour x grouping attributes x bands (see migration 0003).
-- Parameters:
--   $full                    true = every request, false = the hours in rollup_hours
--   $prompt, $cached, $output  sorted boundary lists (rollup_bounds.sql)
-- A band is the smallest value of the band a request's value falls in: the largest boundary
-- below the value, plus one; 0 when no boundary is below it.
INSERT INTO request_groups
SELECT
    hour, model, platform, endpoint_scope, source, project, workload, session_id, is_subagent,
    service_tier, speed, inference_geo, cache_split_unknown,
    coalesce(list_max(list_filter($prompt, lambda b: b < prompt)) + 1, 0) AS prompt_band,
    coalesce(list_max(list_filter($cached, lambda b: b < cached)) + 1, 0) AS cached_band,
    coalesce(list_max(list_filter($output, lambda b: b < output_tokens)) + 1, 0) AS output_band,
    count(*) AS requests,
    sum(input_tokens)::BIGINT,
    sum(cache_write_5m)::BIGINT,
    sum(cache_write_1h)::BIGINT,
    sum(cache_read)::BIGINT,
    sum(output_tokens)::BIGINT,
    sum(web_search_requests)::BIGINT
FROM (
    SELECT
        *,
        to_timestamp(epoch_us(ts) // 3600000000 * 3600) AS hour,
        input_tokens + cache_write_5m + cache_write_1h + cache_read AS prompt,
        cache_write_5m + cache_write_1h + cache_read AS cached
    FROM requests
    WHERE $full
       OR (ts >= (SELECT min(hour) FROM rollup_hours)
           AND ts < (SELECT max(hour) FROM rollup_hours) + INTERVAL 1 HOUR
           AND to_timestamp(epoch_us(ts) // 3600000000 * 3600) IN (SELECT hour FROM rollup_hours))
)
GROUP BY ALL
