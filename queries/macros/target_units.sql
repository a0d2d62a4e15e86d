-- table macro target_units(tz, since, until, workloads, models, sources, subagent,
--     use_rollup, targets, tokenizer_factor, pairs): target_pairs with the rates each unit
-- would bill at on each target.
-- Grain: one row per (unit, target), as target_pairs.
-- Parameters (a per-connection table macro): as in target_pairs.
-- Rules (the token and eligibility rules are in target_pairs):
--   * the target's price row is the one in force on the request's UTC date, or its first row
--     for dates before the target existed; its long-context tier uses the converted prompt;
--   * multipliers: batch stays batch; fast and us-geo only where the target supports them;
--     the partner regional multiplier when the request used a regional endpoint;
--   * web searches keep their count and flat price.
-- The target's tokens (t_input, t_w5, t_w1, t_read, c_output) and the rates they bill at
-- (tb_*, per MTok, x t_multiplier) are returned rather than a cost, so callers sum tokens per
-- distinct rate and price the sums with billed_usd() (exact: cost is linear in tokens).
WITH e AS (
    SELECT *
    FROM target_pairs(tz, since, until, workloads, models, sources, subagent, use_rollup,
                      targets, tokenizer_factor, pairs)
),
-- Price rows as validity ranges: an equi-join on the model instead of a per-row ASOF sort.
price_ranges AS (
    SELECT
        *,
        coalesce(lead(effective_from) OVER (PARTITION BY model_id ORDER BY effective_from),
                 DATE '9999-12-31') AS effective_to
    FROM prices
),
tp AS (
    SELECT
        e.*,
        p.rate_input AS tr_in, p.rate_output AS tr_out, p.rate_cache_write_5m AS tr_w5,
        p.rate_cache_write_1h AS tr_w1, p.rate_cache_read AS tr_read,
        p.lc_rate_input AS tl_in, p.lc_rate_output AS tl_out, p.lc_rate_cache_write_5m AS tl_w5,
        p.lc_rate_cache_write_1h AS tl_w1, p.lc_rate_cache_read AS tl_read,
        coalesce(e.c_prompt_band > p.long_context_threshold, false) AS t_long_context,
        CAST(
            (CASE WHEN e.service_tier = 'batch' THEN coalesce(p.batch_multiplier, 1) ELSE 1 END)
            * (CASE WHEN e.speed = 'fast' AND e.t_fast
                    THEN coalesce(p.fast_multiplier, 1) ELSE 1 END)
            * (CASE WHEN e.inference_geo = 'us' AND e.t_geo
                    THEN coalesce(p.us_geo_multiplier, 1) ELSE 1 END)
            * (CASE WHEN e.endpoint_scope = 'regional' THEN e.t_regional ELSE 1 END)
          AS DECIMAL(18, 8)) AS t_multiplier
    FROM e
    LEFT JOIN price_ranges AS p
        ON e.target = p.model_id
       AND e.t_price_date >= p.effective_from AND e.t_price_date < p.effective_to
)
SELECT
    tp.*,
    CASE WHEN t_long_context THEN tl_in ELSE tr_in END AS tb_input,
    CASE WHEN t_long_context THEN tl_w5 ELSE tr_w5 END AS tb_cache_write_5m,
    CASE WHEN t_long_context THEN tl_w1 ELSE tr_w1 END AS tb_cache_write_1h,
    CASE WHEN t_long_context THEN tl_read ELSE tr_read END AS tb_cache_read,
    CASE WHEN t_long_context THEN tl_out ELSE tr_out END AS tb_output
FROM tp
