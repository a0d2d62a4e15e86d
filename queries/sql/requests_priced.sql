-- requests_priced: the request-level table with its exact cost, for export.
-- Grain: one row per billed request.
-- Parameters: $tz (IANA zone for the local timestamp column).
SELECT
    request_key, source, source_file, source_line,
    strftime(timezone($tz, ts), '%Y-%m-%d %H:%M:%S') AS local_time,
    model, model_id, platform, service_tier, speed, inference_geo,
    project, session_id, workload, is_subagent,
    input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens, web_search_requests,
    prompt_tokens, long_context, multiplier, priced, cost_usd, latency_ms, ttft_ms
FROM priced_requests
ORDER BY ts, request_key
