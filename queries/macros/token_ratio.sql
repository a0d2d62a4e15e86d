-- scalar macro token_ratio(s_factor, t_factor, tokenizer_factor): target tokens per
-- source token (a scalar macro).  1 within one tokenizer family; else the families' factors, or the
-- scenario's `tokenizer_factor` (newer family per older) when it is given.
CAST(CASE
    WHEN s_factor = t_factor THEN 1
    WHEN tokenizer_factor IS NULL THEN CAST(t_factor AS DOUBLE) / CAST(s_factor AS DOUBLE)
    WHEN t_factor > s_factor THEN CAST(tokenizer_factor AS DOUBLE)
    ELSE 1 / CAST(tokenizer_factor AS DOUBLE)
END AS DOUBLE)
