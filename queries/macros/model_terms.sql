-- temp table model_terms: per model, what pairing a request with a target needs from the
-- price tables: its tokenizer family's factor and the first day it has a price (a model is priced
-- on every day from then on: its price rows run end to end).  A temp table, made on a connection's
-- first use after its price tables are installed, so a query joins one small table instead of
-- models, tokenizers and prices.
-- Grain: one row per model id.
SELECT
    m.model_id,
    tk.factor AS token_factor,
    (SELECT min(p.effective_from) FROM prices AS p WHERE p.model_id = m.model_id) AS first_price
FROM models AS m
LEFT JOIN tokenizers AS tk ON tk.tokenizer = m.tokenizer
