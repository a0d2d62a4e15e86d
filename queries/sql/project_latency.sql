-- project_latency: current and projected latency percentiles of a scenario.
-- Grain: one row per (workload, target), plus one per target with workload NULL (all workloads).
-- Parameters:
--   $targets, $tokenizer_factor: as in views/target_pairs.sql
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
-- its time to first token.  Requests that do not move keep their latency.  Only requests that
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
        CAST(ttft_ms AS DOUBLE) AS ttft,
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
        lat IS NOT NULL AND ttft IS NOT NULL AND lat >= ttft AS timed
    FROM u
),
q AS (
    SELECT
        workload,
        target,
        lat,
        moved,
        CASE
            WHEN NOT moved THEN lat
            WHEN kind = 'logs' AND timed THEN ttft + out_t / tps * 1000.0
            WHEN kind = 'default' AND timed AND out_s = 0 THEN ttft
            WHEN kind = 'default' AND timed AND src_rel IS NOT NULL
                THEN ttft + (lat - ttft) * (out_t / out_s) * (src_rel / target_rel)
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
        quantile_cont(lat, [0.5, 0.95]) AS cur,
        quantile_cont(projected_ms, [0.5, 0.95]) AS proj
    FROM q
    GROUP BY GROUPING SETS ((workload, target), (target))
)
SELECT
    workload, target, latency_samples, projected_samples, moved_projected,
    cur[1] AS current_p50_ms,
    cur[2] AS current_p95_ms,
    proj[1] AS projected_p50_ms,
    proj[2] AS projected_p95_ms
FROM g
ORDER BY target, workload NULLS FIRST
