-- model_catalog: every name a model can be given, with what the projection needs to know.
-- Grain: one row per alias (the canonical id is its own alias).
-- Parameters: none.
SELECT
    a.alias,
    m.model_id,
    m.display_name,
    m.tokenizer,
    t.factor AS tokenizer_factor,
    m.context_window,
    m.max_output_tokens,
    m.min_cacheable_tokens,
    m.supports_inference_geo,
    m.supports_fast_mode,
    EXISTS (SELECT 1 FROM prices AS p WHERE p.model_id = m.model_id) AS priced
FROM model_aliases AS a
JOIN models AS m ON m.model_id = a.model_id
LEFT JOIN tokenizers AS t ON t.tokenizer = m.tokenizer
ORDER BY a.alias
