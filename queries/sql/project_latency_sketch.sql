-- project_latency_sketch: project_latency.sql's per-request projection, summed into log buckets
-- (queries/sketch.py) instead of sorted, so memory stays flat and queries/projection/ reads
-- each percentile within 1% of the exact one.  Same parameters and rules as project_latency.sql
-- (read its header); `project --exact` runs that one.
-- Grain: one row per (workload, target, what, bucket): what 0 = current latency, 1 = projected
-- latency, by the bucket of the value (NULL: none or not finite); n requests, of which `moved`
-- moved and `estimated` moved with an estimated time to first token.  Parameters are joined as
-- small tables, not looked up in lists per row; medians for imputation as project_latency.sql.
WITH pairs AS (
    -- target_pairs' pairing and eligibility rules (the same macros) over located_units: no
    -- rates here, so no price join (a model is priced from its first price day on).
    SELECT
        l.*,
        tg.*,
        token_ratio(coalesce(mt.token_factor, tg.t_factor), tg.t_factor, $tokenizer_factor)
            AS token_ratio,
        mt.first_price IS NOT NULL
            AND DATE '1970-01-01' + CAST(epoch_us(l.ts) // 86400000000 AS INTEGER)
                >= mt.first_price AS priced
    FROM located_units($tz, $since, $until, $workloads, $models, $sources, $subagent, false) AS l
    CROSS JOIN target_models($targets) AS tg
    LEFT JOIN model_terms AS mt ON mt.model_id = l.model_id
    WHERE l.latency_ms IS NOT NULL
),
ttft_mw AS (
    -- streamed requests' median time to first token per (model, workload) in the selection
    SELECT model_id, coalesce(workload, '(none)') AS workload,
           quantile_cont(CAST(ttft_ms AS DOUBLE), 0.5) AS ttft_med
    FROM located_units($tz, $since, $until, $workloads, $models, $sources, $subagent, false)
    WHERE ttft_ms IS NOT NULL AND latency_ms >= ttft_ms
    GROUP BY ALL
),
ttft_target AS (
    -- each target's own streamed requests in the window, whatever the workload
    SELECT model_id AS target, quantile_cont(CAST(ttft_ms AS DOUBLE), 0.5) AS ttft_med
    FROM located_units($tz, $since, $until, NULL, $targets, $sources, NULL, false)
    WHERE ttft_ms IS NOT NULL AND latency_ms >= ttft_ms
    GROUP BY ALL
),
knobs AS (
    -- the per-target and per-workload parameters as small tables, joined rather than looked up
    -- in lists row by row
    SELECT unnest($speed_targets) AS k_target, unnest($speed_kinds) AS kind,
           unnest($speed_tps) AS tps
),
ratios AS (
    SELECT unnest($ratio_workloads) AS r_workload, unnest($ratio_values) AS r_value
),
rel AS (
    SELECT unnest($rel_models) AS rel_model, unnest($rel_values) AS rel_value
),
conv AS (
    SELECT
        pairs.*,
        target_tokens(output_tokens, token_ratio) AS c_output,
        CASE WHEN token_ratio = 1 THEN prompt_band
             ELSE target_tokens(input_tokens, token_ratio)
                + target_tokens(cache_write_5m, token_ratio)
                + target_tokens(cache_write_1h, token_ratio)
                + target_tokens(cache_read, token_ratio) END AS c_prompt_band
    FROM pairs
),
u AS (
    SELECT
        coalesce(conv.workload, '(none)') AS workload,
        conv.target,
        conv.model_id,
        CAST(latency_ms AS DOUBLE) AS lat,
        CASE WHEN ttft_ms IS NOT NULL AND latency_ms >= ttft_ms THEN CAST(ttft_ms AS DOUBLE)
             ELSE coalesce(m.ttft_med, tt.ttft_med)
        END AS ttft,
        ttft_ms IS NULL OR latency_ms < ttft_ms AS ttft_estimated,
        CAST(output_tokens AS DOUBLE) AS out_s,
        CAST(c_output AS DOUBLE) * coalesce(ratios.r_value, 1.0) AS out_t,
        ineligible_reason(priced, conv.model_id = conv.target, c_prompt_band, t_context_window,
                          inference_geo, t_geo, c_output, t_max_output) IS NULL
            AND conv.model_id <> conv.target
            AND (list_contains($move_all, coalesce(conv.workload, '(none)'))
                 OR (is_subagent AND list_contains($move_sub, coalesce(conv.workload, '(none)'))))
            AS moved,
        knobs.kind,
        knobs.tps,
        rs.rel_value AS src_rel,
        rt.rel_value AS target_rel
    FROM conv
    LEFT JOIN ttft_mw AS m
        ON m.model_id = conv.model_id AND m.workload = coalesce(conv.workload, '(none)')
    LEFT JOIN ttft_target AS tt ON tt.target = conv.target
    LEFT JOIN knobs ON knobs.k_target = conv.target
    LEFT JOIN ratios ON ratios.r_workload = coalesce(conv.workload, '(none)')
    LEFT JOIN rel AS rs ON rs.rel_model = conv.model_id
    LEFT JOIN rel AS rt ON rt.rel_model = conv.target
),
p AS (
    SELECT
        *,
        lat IS NOT NULL AND ttft IS NOT NULL AS timed,
        greatest(lat - ttft, 0.0) AS gen
    FROM u
),
q AS (
    SELECT
        workload,
        target,
        lat,
        moved,
        moved AND ttft_estimated AND timed AS estimated,
        CASE
            WHEN NOT moved THEN lat
            WHEN kind = 'logs' AND timed THEN ttft + out_t / tps * 1000.0
            WHEN kind = 'default' AND timed AND out_s = 0 THEN ttft
            WHEN kind = 'default' AND timed AND src_rel IS NOT NULL
                THEN ttft + gen * (out_t / out_s) * (src_rel / target_rel)
        END AS projected_ms
    FROM p
),
b AS (
    SELECT
        workload, target, moved, estimated,
        CASE
            WHEN NOT isfinite(lat) THEN NULL
            WHEN lat > 0 THEN CAST(ceil(ln(lat) / ln(1.01 / 0.99)) AS INTEGER)
            WHEN lat = 0 THEN -500000
            ELSE -1000000 - CAST(ceil(ln(-lat) / ln(1.01 / 0.99)) AS INTEGER)
        END AS lb,
        CASE
            WHEN NOT isfinite(projected_ms) THEN NULL
            WHEN projected_ms > 0 THEN CAST(ceil(ln(projected_ms) / ln(1.01 / 0.99)) AS INTEGER)
            WHEN projected_ms = 0 THEN -500000
            ELSE -1000000 - CAST(ceil(ln(-projected_ms) / ln(1.01 / 0.99)) AS INTEGER)
        END AS pb
    FROM q
)
SELECT
    workload, target,
    CAST(grouping(lb) AS INTEGER) AS what,
    coalesce(lb, pb) AS bucket,
    count(*) AS n,
    count(*) FILTER (WHERE moved) AS moved,
    count(*) FILTER (WHERE estimated) AS estimated
FROM b
GROUP BY GROUPING SETS ((workload, target, lb), (workload, target, pb))
