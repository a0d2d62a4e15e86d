-- table macro hour_priced(tz, since, until, workloads, models, sources, subagent, sessions):
-- the coarse rollups of migration 0007 narrowed by the shared filters (unit_kept) and given the
-- rates each row bills at: usage_hours (project, no session), or session_hours with `sessions`
-- (session, no project).  Columns: the table's attributes, model_id, local_day in `tz`, `n`
-- requests, token sums, priced, bill_* (per MTok) and multiplier, as priced_units gives them.
-- Grain: one row per coarse group (UTC hour x attributes x prompt band).
-- Parameters (a per-connection table macro): as in filtered_units; the caller checks
-- rollup.usable (tz's offset is whole hours, so a UTC hour lies in one local day).
-- Rules: priced_units' own, on a group instead of a request: the price row in force on the UTC
-- date, long context when the prompt band exceeds the model's threshold (exact, see the
-- migration), multipliers batch x fast x us-geo x partner regional, no price = unpriced.
-- The filters are applied before pricing, and each hour's local day is computed once.
-- tests/test_coarse_rollup.py checks the sums against request_groups and requests.
WITH u AS (
    SELECT hour, model, endpoint_scope, source, project, NULL::VARCHAR AS session_id, workload,
           is_subagent, service_tier, speed, inference_geo, prompt_band, requests AS n,
           input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
           web_search_requests
    FROM usage_hours
    WHERE NOT sessions
    UNION ALL
    SELECT hour, model, endpoint_scope, source, NULL::VARCHAR, session_id, workload,
           is_subagent, service_tier, speed, inference_geo, prompt_band, requests,
           input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
           web_search_requests
    FROM session_hours
    WHERE sessions
),
hours AS (
    SELECT hour, CAST(timezone(tz, hour) AS DATE) AS local_day
    FROM (SELECT DISTINCT hour FROM u)
),
r AS (
    SELECT
        u.*,
        coalesce(a.model_id, u.model) AS model_id,
        hours.local_day,
        DATE '1970-01-01' + CAST(epoch_us(u.hour) // 86400000000 AS INTEGER) AS price_date
    FROM u
    JOIN hours ON hours.hour = u.hour
    LEFT JOIN model_aliases AS a ON a.alias = u.model
    WHERE unit_kept(hours.local_day, u.workload, coalesce(a.model_id, u.model), u.source,
                    u.is_subagent, since, until, workloads, models, sources, subagent)
),
price_ranges AS (
    SELECT
        *,
        coalesce(lead(effective_from) OVER (PARTITION BY model_id ORDER BY effective_from),
                 DATE '9999-12-31') AS effective_to
    FROM prices
),
rp AS (
    SELECT
        r.*,
        p.model_id IS NOT NULL AS priced,
        coalesce(r.prompt_band > p.long_context_threshold, false) AS long_context,
        p.rate_input, p.rate_output, p.rate_cache_write_5m, p.rate_cache_write_1h,
        p.rate_cache_read, p.lc_rate_input, p.lc_rate_output, p.lc_rate_cache_write_5m,
        p.lc_rate_cache_write_1h, p.lc_rate_cache_read,
        (CASE WHEN r.service_tier = 'batch' THEN coalesce(p.batch_multiplier, 1) ELSE 1 END)
          * (CASE WHEN r.speed = 'fast' THEN coalesce(p.fast_multiplier, 1) ELSE 1 END)
          * (CASE WHEN r.inference_geo = 'us' THEN coalesce(p.us_geo_multiplier, 1) ELSE 1 END)
          * (CASE WHEN r.endpoint_scope = 'regional'
                  THEN coalesce(m.partner_regional_multiplier, 1) ELSE 1 END) AS multiplier
    FROM r
    LEFT JOIN price_ranges AS p
        ON r.model_id = p.model_id
       AND r.price_date >= p.effective_from AND r.price_date < p.effective_to
    LEFT JOIN models AS m ON m.model_id = r.model_id
)
SELECT
    hour, model, model_id, endpoint_scope, source, project, session_id, workload, is_subagent,
    service_tier, speed, inference_geo, local_day, n, input_tokens, cache_write_5m,
    cache_write_1h, cache_read, output_tokens, web_search_requests, priced, multiplier,
    CASE WHEN long_context THEN lc_rate_input ELSE rate_input END AS bill_input,
    CASE WHEN long_context THEN lc_rate_cache_write_5m ELSE rate_cache_write_5m END
        AS bill_cache_write_5m,
    CASE WHEN long_context THEN lc_rate_cache_write_1h ELSE rate_cache_write_1h END
        AS bill_cache_write_1h,
    CASE WHEN long_context THEN lc_rate_cache_read ELSE rate_cache_read END AS bill_cache_read,
    CASE WHEN long_context THEN lc_rate_output ELSE rate_output END AS bill_output
FROM rp
