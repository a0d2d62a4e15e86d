-- session_hours_insert: the session_hours rows of the hours in coarse_hours, summed from
-- request_groups (already refreshed for those hours): usage_hours with the session in place of
-- the project (migration 0007).
-- Grain: one row per UTC hour x model x endpoint scope x source x session x workload x
-- sub-agent flag x service tier x speed x inference geo x prompt band.
-- Parameters: none.
INSERT INTO session_hours
SELECT hour, model, endpoint_scope, source, session_id, workload, is_subagent, service_tier,
       speed, inference_geo, prompt_band, sum(requests), sum(input_tokens), sum(cache_write_5m),
       sum(cache_write_1h), sum(cache_read), sum(output_tokens), sum(web_search_requests)
FROM request_groups
WHERE hour IN (SELECT hour FROM coarse_hours)
GROUP BY ALL
