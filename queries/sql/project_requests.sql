-- project_requests: what every request would have cost on each target model (the counterfactual).
-- Grain: one row per (request, target).
-- Parameters:
--   $targets           list of target model ids (canonical ids from the `models` table)
--   $tokenizer_factor  DECIMAL or NULL: tokens of the newer tokenizer family per token of the
--                      older one when the two differ; NULL = the `tokenizers` table factors
--   $tz, $since, $until, $workloads, $models, $sources, $subagent: as in usage_by.sql
-- Rules, applied in this order:
--   * token counts convert between tokenizer families: round(tokens x target / source factor);
--   * when the converted cached tokens (cache writes + reads) are below the target's minimum
--     cacheable length they are priced as uncached input (the target would not cache them);
--   * ineligible, so the request stays on its model at its current cost: source model unpriced,
--     prompt over the target's context window, `inference_geo` 'us' on a target without
--     regional inference, output over the target's max output;
--   * a request already on the target is not moved (its cost is unchanged by definition);
--   * the target's price row is the one in force on the request's UTC date, or its first row
--     for dates before the target existed; its long-context tier uses the converted prompt;
--   * multipliers: batch stays batch; fast and us-geo only where the target supports them;
--     the partner regional multiplier when the request used a regional endpoint;
--   * web searches keep their count and flat price.
-- target_output_cost_usd is kept apart from target_input_cost_usd (everything else) so the
-- caller can scale output by a per-workload output ratio exactly (the tier ignores output).
WITH f AS (
    SELECT *
    FROM filtered_units($tz, $since, $until, $workloads, $models, $sources, $subagent, false)
),
-- Price rows as validity ranges: an equi-join on the model instead of a per-row ASOF sort.
price_ranges AS (
    SELECT
        *,
        coalesce(lead(effective_from) OVER (PARTITION BY model_id ORDER BY effective_from),
                 DATE '9999-12-31') AS effective_to
    FROM prices
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
    FROM (SELECT unnest($targets) AS target) AS want
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
            WHEN $tokenizer_factor IS NULL THEN CAST(t_factor AS DOUBLE) / CAST(s_factor AS DOUBLE)
            WHEN t_factor > s_factor THEN CAST($tokenizer_factor AS DOUBLE)
            ELSE 1 / CAST($tokenizer_factor AS DOUBLE)
        END AS DOUBLE) AS token_ratio
    FROM pairs
),
conv AS (
    SELECT
        ratio.*,
        CAST(round(input_tokens * token_ratio) AS BIGINT) AS c_input,
        CAST(round(cache_write_5m * token_ratio) AS BIGINT) AS c_w5,
        CAST(round(cache_write_1h * token_ratio) AS BIGINT) AS c_w1,
        CAST(round(cache_read * token_ratio) AS BIGINT) AS c_read,
        CAST(round(output_tokens * token_ratio) AS BIGINT) AS c_output
    FROM ratio
),
cached AS (
    SELECT
        conv.*,
        c_w5 + c_w1 + c_read AS c_cached,
        c_w5 + c_w1 + c_read > 0 AND c_w5 + c_w1 + c_read < t_min_cache AS cache_lost
    FROM conv
),
tok AS (
    SELECT
        cached.*,
        CASE WHEN cache_lost THEN c_input + c_cached ELSE c_input END AS t_input,
        CASE WHEN cache_lost THEN 0 ELSE c_w5 END AS t_w5,
        CASE WHEN cache_lost THEN 0 ELSE c_w1 END AS t_w1,
        CASE WHEN cache_lost THEN 0 ELSE c_read END AS t_read,
        c_input + c_cached AS t_prompt
    FROM cached
),
elig AS (
    SELECT
        tok.*,
        model_id = target AS on_target,
        CASE
            WHEN NOT priced THEN 'source model unpriced'
            WHEN model_id = target THEN NULL
            WHEN t_context_window IS NOT NULL AND t_prompt > t_context_window
                THEN 'prompt exceeds target context window'
            WHEN inference_geo = 'us' AND NOT coalesce(t_geo, false)
                THEN 'inference_geo us: target has no regional inference'
            WHEN t_max_output IS NOT NULL AND c_output > t_max_output
                THEN 'output exceeds target max output'
        END AS ineligible_reason
    FROM tok
),
tp AS (
    SELECT
        e.*,
        p.rate_input AS tr_in, p.rate_output AS tr_out, p.rate_cache_write_5m AS tr_w5,
        p.rate_cache_write_1h AS tr_w1, p.rate_cache_read AS tr_read,
        p.lc_rate_input AS tl_in, p.lc_rate_output AS tl_out, p.lc_rate_cache_write_5m AS tl_w5,
        p.lc_rate_cache_write_1h AS tl_w1, p.lc_rate_cache_read AS tl_read,
        coalesce(e.t_prompt > p.long_context_threshold, false) AS t_long_context,
        CAST(
            (CASE WHEN e.service_tier = 'batch' THEN coalesce(p.batch_multiplier, 1) ELSE 1 END)
            * (CASE WHEN e.speed = 'fast' AND e.t_fast
                    THEN coalesce(p.fast_multiplier, 1) ELSE 1 END)
            * (CASE WHEN e.inference_geo = 'us' AND e.t_geo
                    THEN coalesce(p.us_geo_multiplier, 1) ELSE 1 END)
            * (CASE WHEN e.endpoint_scope = 'regional' THEN e.t_regional ELSE 1 END)
          AS DECIMAL(18, 8)) AS t_multiplier
    FROM elig AS e
    LEFT JOIN price_ranges AS p
        ON e.target = p.model_id
       AND e.t_price_date >= p.effective_from AND e.t_price_date < p.effective_to
)
SELECT
    request_key,
    local_day,
    coalesce(workload, '(none)') AS workload,
    model_id,
    source,
    is_subagent,
    priced,
    cost_usd AS current_cost_usd,
    target,
    on_target,
    ineligible_reason,
    ineligible_reason IS NULL AND NOT on_target AS movable,
    token_ratio,
    cache_lost,
    t_prompt AS target_prompt_tokens,
    c_output AS target_output_tokens,
    t_long_context AS target_long_context,
    CASE WHEN ineligible_reason IS NULL THEN CAST(
        (  t_input * (CASE WHEN t_long_context THEN tl_in ELSE tr_in END)
         + t_w5 * (CASE WHEN t_long_context THEN tl_w5 ELSE tr_w5 END)
         + t_w1 * (CASE WHEN t_long_context THEN tl_w1 ELSE tr_w1 END)
         + t_read * (CASE WHEN t_long_context THEN tl_read ELSE tr_read END)
        ) * t_multiplier * 0.000001
        + web_search_requests * (SELECT web_search_per_1k FROM price_defaults) * 0.001
      AS DECIMAL(38, 12)) END AS target_input_cost_usd,
    CASE WHEN ineligible_reason IS NULL THEN CAST(
        c_output * (CASE WHEN t_long_context THEN tl_out ELSE tr_out END)
        * t_multiplier * 0.000001
      AS DECIMAL(38, 12)) END AS target_output_cost_usd,
    output_tokens,
    latency_ms,
    ttft_ms
FROM tp
