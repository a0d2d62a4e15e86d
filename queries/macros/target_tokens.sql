-- scalar macro target_tokens(tokens, ratio): a token count on the target's tokenizer,
-- rounded per request (a scalar macro); the identity at a ratio of 1, so sums of a request group
-- convert exactly there.
CASE WHEN ratio = 1 THEN tokens ELSE CAST(round(tokens * ratio) AS BIGINT) END
