-- table macro latency_projection(tz, since, until, workloads, models, sources, subagent,
--     targets, tokenizer_factor, move_all, move_sub, ratio_workloads, ratio_values,
--     speed_targets, speed_kinds, speed_tps, rel_models, rel_values):
-- every timed request of the selection, once per target, with its current latency and the
-- latency it would have after the scenario: what project_latency.sql (exact percentiles) and
-- project_latency_sketch.sql (log buckets) both read, so the rule is written once.
-- Grain: one row per request that logged a latency x target.
-- Columns: workload ('(none)' for none), target, lat, moved, estimated (moved with an estimated
-- time to first token), projected_ms (NULL: cannot be projected).
-- Parameters: as project_latency.sql's (read its header for the rule).
-- Written for one pass over `requests` at 10M rows: the per-request lookups are two hash joins
-- (the logged model name to everything a source model needs, the workload to its ratio and
-- selection) and a cross join with the few targets; the medians for a missing time to first
-- token are computed only for the (model, workload) groups that have such a request (`need`,
-- a filtered scan), so a selection where every timed request was streamed pays no median.
-- Every CTE over `requests` is NOT MATERIALIZED: a materialized one holds millions of rows in
-- the reader's small memory pool.
WITH tg AS (
    -- the targets with their speed (project_latency.sql's kinds) and relative speed
    SELECT tm.*, k.kind, k.tps, r.rel_value AS target_rel
    FROM target_models(targets) AS tm
    LEFT JOIN (SELECT unnest(speed_targets) AS k_target, unnest(speed_kinds) AS kind,
                      unnest(speed_tps) AS tps) AS k ON k.k_target = tm.target
    LEFT JOIN (SELECT unnest(rel_models) AS rel_model, unnest(rel_values) AS rel_value) AS r
        ON r.rel_model = tm.target
),
names AS (
    -- each name a known model is logged under (its aliases and its own id), with its id,
    -- tokenizer factor, first priced instant (00:00 UTC of its first price day: a request is
    -- priced from its UTC day on) and relative speed; a model without a price is never priced
    SELECT n.name, n.model_id, mt.token_factor AS s_factor,
           CAST(mt.first_price AS TIMESTAMP) AT TIME ZONE 'UTC' AS priced_from,
           r.rel_value AS src_rel
    FROM (SELECT alias AS name, model_id FROM model_aliases
          UNION ALL
          SELECT model_id, model_id FROM model_terms
          WHERE model_id NOT IN (SELECT alias FROM model_aliases)) AS n
    LEFT JOIN model_terms AS mt ON mt.model_id = n.model_id
    LEFT JOIN (SELECT unnest(rel_models) AS rel_model, unnest(rel_values) AS rel_value) AS r
        ON r.rel_model = n.model_id
),
wl AS (
    -- per workload: its output ratio and whether all its requests or its sub-agent calls move
    SELECT w AS workload, v AS ratio,
           list_contains(move_all, w) AS sel_all, list_contains(move_sub, w) AS sel_sub
    FROM (SELECT unnest(ratio_workloads) AS w, unnest(ratio_values) AS v)
),
timed AS NOT MATERIALIZED (
    -- located_units' rows and filters (unit_kept), without the rollup branch it does not need
    SELECT
        coalesce(n.model_id, q.model) AS model_id,
        coalesce(q.workload, '(none)') AS workload,
        q.ts, q.is_subagent, q.inference_geo, q.input_tokens, q.cache_write_5m, q.cache_write_1h,
        q.cache_read, q.output_tokens, q.latency_ms, q.ttft_ms,
        q.ttft_ms IS NOT NULL AND q.latency_ms >= q.ttft_ms AS streamed,
        n.s_factor, n.priced_from, n.src_rel
    FROM requests AS q
    LEFT JOIN names AS n ON n.name = q.model
    WHERE q.latency_ms IS NOT NULL
      AND unit_kept(CAST(timezone(tz, q.ts) AS DATE), q.workload, coalesce(n.model_id, q.model),
                    q.source, q.is_subagent, since, until, workloads, models, sources, subagent)
),
need AS (
    -- the (model, workload) groups with a timed request whose time to first token is missing
    SELECT DISTINCT model_id, workload FROM timed WHERE NOT streamed
),
ttft_mw AS (
    -- their streamed requests' median time to first token
    SELECT model_id, workload, quantile_cont(CAST(ttft_ms AS DOUBLE), 0.5) AS ttft_med
    FROM timed SEMI JOIN need USING (model_id, workload)
    WHERE streamed
    GROUP BY ALL
),
ttft_target AS (
    -- each target's own streamed requests in the window, whatever the workload; only when
    -- some group needs an estimate
    SELECT model_id AS target, quantile_cont(CAST(ttft_ms AS DOUBLE), 0.5) AS ttft_med
    FROM located_units(tz, since, until, NULL, targets, sources, NULL, false)
    WHERE ttft_ms IS NOT NULL AND latency_ms >= ttft_ms
      AND model_id IN (SELECT target FROM tg, (SELECT count(*) AS k FROM need) WHERE k > 0)
    GROUP BY ALL
),
pairs AS (
    SELECT
        t.*, tg.*, wl.ratio, wl.sel_all, wl.sel_sub,
        coalesce(m.ttft_med, tt.ttft_med) AS ttft_med,
        token_ratio(coalesce(t.s_factor, tg.t_factor), tg.t_factor, tokenizer_factor)
            AS token_ratio
    FROM timed AS t
    CROSS JOIN tg
    LEFT JOIN wl ON wl.workload = t.workload
    LEFT JOIN ttft_mw AS m ON m.model_id = t.model_id AND m.workload = t.workload
    LEFT JOIN ttft_target AS tt ON tt.target = tg.target
),
conv AS (
    -- the request's tokens on the target's tokenizer (target_pairs' rule)
    SELECT
        *,
        target_tokens(output_tokens, token_ratio) AS c_output,
        CASE WHEN token_ratio = 1
             THEN input_tokens + cache_write_5m + cache_write_1h + cache_read
             ELSE target_tokens(input_tokens, token_ratio)
                + target_tokens(cache_write_5m, token_ratio)
                + target_tokens(cache_write_1h, token_ratio)
                + target_tokens(cache_read, token_ratio) END AS c_prompt_band
    FROM pairs
),
u AS (
    SELECT
        workload, target,
        CAST(latency_ms AS DOUBLE) AS lat,
        CASE WHEN streamed THEN CAST(ttft_ms AS DOUBLE) ELSE ttft_med END AS ttft,
        NOT streamed AS ttft_estimated,
        CAST(output_tokens AS DOUBLE) AS out_s,
        CAST(c_output AS DOUBLE) * coalesce(ratio, 1.0) AS out_t,
        (coalesce(sel_all, false) OR (is_subagent AND coalesce(sel_sub, false)))
            AND model_id <> target
            AND ineligible_reason(priced_from IS NOT NULL AND ts >= priced_from, false,
                                  c_prompt_band, t_context_window, inference_geo, t_geo,
                                  c_output, t_max_output) IS NULL AS moved,
        kind, tps, src_rel, target_rel
    FROM conv
)
SELECT
    workload, target, lat, moved,
    moved AND ttft_estimated AND ttft IS NOT NULL AS estimated,
    CASE
        WHEN NOT moved THEN lat
        WHEN ttft IS NULL THEN NULL
        WHEN kind = 'logs' THEN ttft + out_t / tps * 1000.0
        WHEN kind = 'default' AND out_s = 0 THEN ttft
        WHEN kind = 'default' AND src_rel IS NOT NULL
            THEN ttft + greatest(lat - ttft, 0.0) * (out_t / out_s) * (src_rel / target_rel)
    END AS projected_ms
FROM u
