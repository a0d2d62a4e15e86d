-- target_pairs(tz, since, until, workloads, models, sources, subagent, use_rollup, targets,
--              tokenizer_factor, pairs): each unit's tokens on each target model and whether it
-- may move there; target_units adds the target's rates.  Written once for the projection's
-- cost (project_units.sql) and latency (project_latency.sql) queries.
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
tg AS (
    SELECT
        m.model_id AS target,
        m.context_window AS t_context_window,
        m.max_output_tokens AS t_max_output,
        coalesce(m.min_cacheable_tokens, 0) AS t_min_cache,
        m.supports_inference_geo AS t_geo,
        m.supports_fast_mode AS t_fast,
        coalesce(m.partner_regional_multiplier, 1) AS t_regional,
        coalesce(tk.factor, 1) AS t_factor,
        (SELECT min(p.effective_from) FROM prices AS p WHERE p.model_id = m.model_id) AS t_first
    FROM (SELECT unnest(targets) AS target) AS want
    JOIN models AS m ON m.model_id = want.target
    LEFT JOIN tokenizers AS tk ON tk.tokenizer = m.tokenizer
),
pairs AS (
    SELECT
        f.*,
        tg.*,
        coalesce(stk.factor, tg.t_factor) AS s_factor,
        greatest(f.price_date, tg.t_first) AS t_price_date
    FROM f
    CROSS JOIN tg
    LEFT JOIN models AS sm ON sm.model_id = f.model_id
    LEFT JOIN tokenizers AS stk ON stk.tokenizer = sm.tokenizer
),
ratio AS (
    SELECT
        pairs.*,
        CAST(CASE
            WHEN s_factor = t_factor THEN 1
            WHEN tokenizer_factor IS NULL THEN CAST(t_factor AS DOUBLE) / CAST(s_factor AS DOUBLE)
            WHEN t_factor > s_factor THEN CAST(tokenizer_factor AS DOUBLE)
            ELSE 1 / CAST(tokenizer_factor AS DOUBLE)
        END AS DOUBLE) AS token_ratio
    FROM pairs
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
        CASE WHEN token_ratio = 1 THEN input_tokens
             ELSE CAST(round(input_tokens * token_ratio) AS BIGINT) END AS c_input,
        CASE WHEN token_ratio = 1 THEN cache_write_5m
             ELSE CAST(round(cache_write_5m * token_ratio) AS BIGINT) END AS c_w5,
        CASE WHEN token_ratio = 1 THEN cache_write_1h
             ELSE CAST(round(cache_write_1h * token_ratio) AS BIGINT) END AS c_w1,
        CASE WHEN token_ratio = 1 THEN cache_read
             ELSE CAST(round(cache_read * token_ratio) AS BIGINT) END AS c_read,
        CASE WHEN token_ratio = 1 THEN output_tokens
             ELSE CAST(round(output_tokens * token_ratio) AS BIGINT) END AS c_output,
        -- Threshold tests: the band columns (exact for a request, and for a group at ratio 1).
        CASE WHEN token_ratio = 1 THEN prompt_band
             ELSE CAST(round(input_tokens * token_ratio) AS BIGINT)
                + CAST(round(cache_write_5m * token_ratio) AS BIGINT)
                + CAST(round(cache_write_1h * token_ratio) AS BIGINT)
                + CAST(round(cache_read * token_ratio) AS BIGINT) END AS c_prompt_band,
        CASE WHEN token_ratio = 1 THEN cached_band
             ELSE CAST(round(cache_write_5m * token_ratio) AS BIGINT)
                + CAST(round(cache_write_1h * token_ratio) AS BIGINT)
                + CAST(round(cache_read * token_ratio) AS BIGINT) END AS c_cached_band,
        CASE WHEN token_ratio = 1 THEN output_band
             ELSE CAST(round(output_tokens * token_ratio) AS BIGINT) END AS c_output_band
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
        CASE
            WHEN NOT priced THEN 'source model unpriced'
            WHEN model_id = target THEN NULL
            WHEN t_context_window IS NOT NULL AND c_prompt_band > t_context_window
                THEN 'prompt exceeds target context window'
            WHEN inference_geo = 'us' AND NOT coalesce(t_geo, false)
                THEN 'inference_geo us: target has no regional inference'
            WHEN t_max_output IS NOT NULL AND c_output_band > t_max_output
                THEN 'output exceeds target max output'
        END AS ineligible_reason
    FROM tok
)
SELECT
    elig.*,
    coalesce(workload, '(none)') AS workload_name,
    ineligible_reason IS NULL AND NOT on_target AS movable
FROM elig
