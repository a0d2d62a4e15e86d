-- project_latency_sketch: project_latency.sql's per-request projection, summed into log buckets
-- (queries/sketch.py) instead of sorted, so memory stays flat and queries/projection.py reads
-- each percentile within 1% of the exact one.  Same parameters and rules as project_latency.sql
-- (read its header); `project --exact` runs that one.
-- Grain: one row per (workload, target, what, bucket): what 0 = current latency, 1 = projected
-- latency (bucket of the value); 2 = projected moved requests, 3 = moved requests whose time to
-- first token was estimated (bucket 0: counts only).
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
        coalesce(workload, '(none)') AS workload,
        target,
        model_id,
        CAST(latency_ms AS DOUBLE) AS lat,
        CASE WHEN ttft_ms IS NOT NULL AND latency_ms >= ttft_ms THEN CAST(ttft_ms AS DOUBLE)
             ELSE coalesce(
                (SELECT m.ttft_med FROM ttft_mw AS m
                  WHERE m.model_id = conv.model_id
                    AND m.workload = coalesce(conv.workload, '(none)')),
                (SELECT t.ttft_med FROM ttft_target AS t WHERE t.target = conv.target))
        END AS ttft,
        ttft_ms IS NULL OR latency_ms < ttft_ms AS ttft_estimated,
        CAST(output_tokens AS DOUBLE) AS out_s,
        CAST(c_output AS DOUBLE)
            * coalesce(list_extract($ratio_values,
                                    list_position($ratio_workloads, coalesce(workload, '(none)'))),
                       1.0) AS out_t,
        ineligible_reason(priced, model_id = target, c_prompt_band, t_context_window,
                          inference_geo, t_geo, c_output, t_max_output) IS NULL
            AND model_id <> target
            AND (list_contains($move_all, coalesce(workload, '(none)'))
                 OR (is_subagent AND list_contains($move_sub, coalesce(workload, '(none)'))))
            AS moved,
        list_extract($speed_kinds, list_position($speed_targets, target)) AS kind,
        list_extract($speed_tps, list_position($speed_targets, target)) AS tps,
        list_extract($rel_values, list_position($rel_models, model_id)) AS src_rel,
        list_extract($rel_values, list_position($rel_models, target)) AS target_rel
    FROM conv
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
v AS (
    SELECT workload, target,
           unnest([0, 1, 2, 3]) AS what,
           unnest([lat, projected_ms,
                   CASE WHEN moved AND projected_ms IS NOT NULL THEN 0.0 END,
                   CASE WHEN estimated AND projected_ms IS NOT NULL THEN 0.0 END]) AS x
    FROM q
)
SELECT
    workload, target, CAST(what AS INTEGER) AS what,
    CASE
        WHEN what >= 2 THEN 0
        WHEN NOT isfinite(x) THEN NULL
        WHEN x > 0 THEN CAST(ceil(ln(x) / ln(1.01 / 0.99)) AS INTEGER)
        WHEN x = 0 THEN -500000
        ELSE -1000000 - CAST(ceil(ln(-x) / ln(1.01 / 0.99)) AS INTEGER)
    END AS bucket,
    count(*) AS n
FROM v
WHERE x IS NOT NULL
GROUP BY ALL
