-- project_latency: current and projected latency percentiles of a scenario.
-- Grain: one row per (workload, target), plus one per target with workload NULL (all workloads).
-- Parameters:
--   $targets, $tokenizer_factor: as in macros/target_pairs.sql
--   $move_all      workloads whose every request the scenario selects
--   $move_sub      workloads whose sub-agent calls the scenario selects
--   $ratio_workloads, $ratio_values  per-workload output ratio (DOUBLE; 1.0 when not listed)
--   $speed_targets, $speed_kinds, $speed_tps  per target: 'logs' (measured median output
--                  tokens/s in $speed_tps), 'default' (relative speeds) or 'none'
--   $rel_models, $rel_values  relative speeds per model (projection_defaults.toml)
--   $tz, $since, $until, $workloads, $models, $sources, $subagent: as in usage_by.sql
-- Latency is a measurement, so floats.  A moved request keeps its own time to first token and
-- regenerates its converted output (x the output ratio): at the target's logged speed, or at
-- its own speed scaled by source / target relative speed; a request with no output token takes
-- its time to first token.  A request that logged no time to first token (it was not streamed,
-- or its first token came after its end) takes the median time to first token of the streamed
-- requests of the same model and workload in the selection; when there are none, the median of
-- the target's own streamed requests in the window (any workload, as target_speed.sql reads
-- it); its generation time at the source is then latency minus that time (at least 0).
-- Requests that do not move keep their latency.  Only requests that
-- logged latency count (per request, hence requests, not the rollup); percentiles are
-- continuous.  projected_samples < latency_samples means some timed request could not be
-- projected (the caller then reports no percentile rather than a biased one).
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
g AS (
    SELECT
        CASE WHEN grouping(workload) = 0 THEN workload END AS workload,
        target,
        count(lat) AS latency_samples,
        count(projected_ms) AS projected_samples,
        count(projected_ms) FILTER (WHERE moved) AS moved_projected,
        count(projected_ms) FILTER (WHERE estimated) AS ttft_estimated,
        quantile_cont(lat, [0.5, 0.95]) AS cur,
        quantile_cont(projected_ms, [0.5, 0.95]) AS proj
    FROM q
    GROUP BY GROUPING SETS ((workload, target), (target))
)
SELECT
    workload, target, latency_samples, projected_samples, moved_projected, ttft_estimated,
    cur[1] AS current_p50_ms,
    cur[2] AS current_p95_ms,
    proj[1] AS projected_p50_ms,
    proj[2] AS projected_p95_ms
FROM g
ORDER BY target, workload NULLS FIRST
