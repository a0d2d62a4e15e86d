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
-- The per-request rule is macros/latency_projection.sql, shared with project_latency_sketch.sql.
WITH g AS (
    SELECT
        CASE WHEN grouping(workload) = 0 THEN workload END AS workload,
        target,
        count(lat) AS latency_samples,
        count(projected_ms) AS projected_samples,
        count(projected_ms) FILTER (WHERE moved) AS moved_projected,
        count(projected_ms) FILTER (WHERE estimated) AS ttft_estimated,
        quantile_cont(lat, [0.5, 0.95]) AS cur,
        quantile_cont(projected_ms, [0.5, 0.95]) AS proj
    FROM latency_projection($tz, $since, $until, $workloads, $models, $sources, $subagent,
                            $targets, $tokenizer_factor, $move_all, $move_sub, $ratio_workloads,
                            $ratio_values, $speed_targets, $speed_kinds, $speed_tps, $rel_models,
                            $rel_values)
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
