-- usage_hours_insert: the usage_hours rows of the hours in coarse_hours, summed from
-- request_groups (already refreshed for those hours): the session, platform, cache-split flag and
-- the cached and output bands summed away (migration 0007).
-- Grain: one row per UTC hour x model x endpoint scope x source x project x workload x
-- sub-agent flag x service tier x speed x inference geo x prompt band.
-- Parameters: none.
INSERT INTO usage_hours
SELECT hour, model, endpoint_scope, source, project, workload, is_subagent, service_tier, speed,
       inference_geo, prompt_band, sum(requests), sum(input_tokens), sum(cache_write_5m),
       sum(cache_write_1h), sum(cache_read), sum(output_tokens), sum(web_search_requests)
FROM request_groups
WHERE hour IN (SELECT hour FROM coarse_hours)
GROUP BY ALL
