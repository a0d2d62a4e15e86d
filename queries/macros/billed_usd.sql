-- scalar macro billed_usd(input_tokens, cache_write_5m, cache_write_1h, cache_read,
--     output_tokens, web_searches, bill_input, bill_cache_write_5m, bill_cache_write_1h,
--     bill_cache_read, bill_output, multiplier):
-- the one place the bill is written down (a per-connection scalar macro).
-- Tokens x per-MTok rates x the stacked multipliers (batch, fast, us-geo, regional), plus web
-- searches at the flat per-1,000 price, which no multiplier touches.  Works on one request or on
-- token sums that share the same rates (cost is linear in tokens, so both are exact).
CAST(
    (  input_tokens * bill_input
     + cache_write_5m * bill_cache_write_5m
     + cache_write_1h * bill_cache_write_1h
     + cache_read * bill_cache_read
     + output_tokens * bill_output
    ) * multiplier * 0.000001
    + web_searches * (SELECT web_search_per_1k FROM price_defaults) * 0.001
  AS DECIMAL(38, 12))
