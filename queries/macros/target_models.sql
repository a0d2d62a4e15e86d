-- table macro target_models(targets): the target models of a projection with what decides
-- a move to them.
-- Grain: one row per target (canonical ids from the `models` table).
-- Parameters (a per-connection table macro): targets, a list of model ids.
SELECT
    m.model_id AS target,
    m.context_window AS t_context_window,
    m.max_output_tokens AS t_max_output,
    coalesce(m.min_cacheable_tokens, 0) AS t_min_cache,
    m.supports_inference_geo AS t_geo,
    m.supports_fast_mode AS t_fast,
    coalesce(m.partner_regional_multiplier, 1) AS t_regional,
    coalesce(mt.token_factor, 1) AS t_factor,
    mt.first_price AS t_first
FROM (SELECT unnest(targets) AS target) AS want
JOIN models AS m ON m.model_id = want.target
JOIN model_terms AS mt ON mt.model_id = m.model_id
