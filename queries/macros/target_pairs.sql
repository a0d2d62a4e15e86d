-- table macro target_pairs(tz, since, until, workloads, models, sources, subagent,
--     use_rollup, targets, tokenizer_factor, pairs): each unit's tokens on each target model
-- and whether it may move there; target_units adds the target's rates.  Written once for the
-- projection's cost query (project_units.sql); the latency query (project_latency.sql) pairs
-- requests with the same macros (target_models, token_ratio, target_tokens, ineligible_reason) but
-- reads located_units, as latency needs no rates.
-- Grain: one row per (unit, target); a unit is a request, or a request group with use_rollup
-- (`n` requests; the caller checks rollup.usable).
-- Parameters (a per-connection table macro):
--   targets           list of target model ids (canonical ids from the `models` table)
--   tokenizer_factor  DECIMAL or NULL: tokens of the newer tokenizer family per token of the
--                     older one when the two differ; NULL = the `tokenizers` table factors
--   pairs             'unit': only (unit, target) pairs whose token ratio is 1; 'other': only
--                     pairs whose ratio is not 1; 'all': every pair
--   the rest: as in filtered_units
-- Rules, applied in this order:
--   * token counts convert between tokenizer families: round(tokens x target / source factor),
--     per request - so a group stands in for its requests only where the ratio is 1 (then every
--     conversion is the identity and every threshold test below is exact on the band columns);
--   * when the converted cached tokens (cache writes + reads) are below the target's minimum
--     cacheable length they are priced as uncached input (the target would not cache them);
--   * ineligible, so the request stays on its model at its current cost: source model unpriced,
--     prompt over the target's context window, `inference_geo` 'us' on a target without
--     regional inference, output over the target's max output;
--   * a request already on the target is not moved (its cost is unchanged by definition);
-- Returns the unit's columns, the target's capabilities, the converted tokens (c_*, and t_* as
-- billed after the cache rule), on_target, ineligible_reason, movable and workload_name.
WITH f AS (
    SELECT *
    FROM filtered_units(tz, since, until, workloads, models, sources, subagent, use_rollup)
),
ratio AS (
    SELECT
        f.*,
        tg.*,
        greatest(f.price_date, tg.t_first) AS t_price_date,
        token_ratio(coalesce(mt.token_factor, tg.t_factor), tg.t_factor, tokenizer_factor)
            AS token_ratio
    FROM f
    CROSS JOIN target_models(targets) AS tg
    LEFT JOIN model_terms AS mt ON mt.model_id = f.model_id
),
kept AS (
    SELECT *
    FROM ratio
    WHERE pairs = 'all'
       OR (pairs = 'unit' AND token_ratio = 1)
       OR (pairs = 'other' AND token_ratio <> 1)
),
conv AS (
    SELECT
        kept.*,
        target_tokens(input_tokens, token_ratio) AS c_input,
        target_tokens(cache_write_5m, token_ratio) AS c_w5,
        target_tokens(cache_write_1h, token_ratio) AS c_w1,
        target_tokens(cache_read, token_ratio) AS c_read,
        target_tokens(output_tokens, token_ratio) AS c_output,
        -- Threshold tests: the band columns (exact for a request, and for a group at ratio 1).
        CASE WHEN token_ratio = 1 THEN prompt_band
             ELSE c_input + c_w5 + c_w1 + c_read END AS c_prompt_band,
        CASE WHEN token_ratio = 1 THEN cached_band ELSE c_w5 + c_w1 + c_read END AS c_cached_band,
        CASE WHEN token_ratio = 1 THEN output_band ELSE c_output END AS c_output_band
    FROM kept
),
cached AS (
    SELECT
        conv.*,
        c_w5 + c_w1 + c_read AS c_cached,
        c_cached_band > 0 AND c_cached_band < t_min_cache AS cache_lost
    FROM conv
),
tok AS (
    SELECT
        cached.*,
        CASE WHEN cache_lost THEN c_input + c_cached ELSE c_input END AS t_input,
        CASE WHEN cache_lost THEN 0 ELSE c_w5 END AS t_w5,
        CASE WHEN cache_lost THEN 0 ELSE c_w1 END AS t_w1,
        CASE WHEN cache_lost THEN 0 ELSE c_read END AS t_read
    FROM cached
),
elig AS (
    SELECT
        tok.*,
        model_id = target AS on_target,
        ineligible_reason(priced, model_id = target, c_prompt_band, t_context_window,
                          inference_geo, t_geo, c_output_band, t_max_output) AS ineligible_reason
    FROM tok
)
SELECT
    elig.*,
    coalesce(workload, '(none)') AS workload_name,
    ineligible_reason IS NULL AND NOT on_target AS movable
FROM elig
