-- project_other_models: source models in the rollup whose tokens convert to one of the targets
-- at a ratio other than 1, so the projection must read their requests one by one.
-- Grain: one row per canonical model id.
-- Parameters: $targets (canonical target model ids).
-- A model with no tokenizer family converts at 1 (macros/target_units.sql), so it is not listed;
-- listing a model that a tokenizer_factor override brings back to 1 only costs a raw read.
WITH seen AS (
    SELECT DISTINCT coalesce(a.model_id, g.model) AS model_id
    FROM (SELECT DISTINCT model FROM request_groups) AS g
    LEFT JOIN model_aliases AS a ON a.alias = g.model
)
SELECT DISTINCT seen.model_id
FROM seen
JOIN models AS sm ON sm.model_id = seen.model_id
JOIN tokenizers AS stk ON stk.tokenizer = sm.tokenizer
JOIN models AS tm ON list_contains($targets, tm.model_id)
LEFT JOIN tokenizers AS ttk ON ttk.tokenizer = tm.tokenizer
WHERE stk.factor <> coalesce(ttk.factor, 1)
ORDER BY seen.model_id
