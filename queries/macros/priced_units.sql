-- table macro priced_units(use_rollup): request_units with the rates and exact cost in USD
-- of each unit.
-- Grain: one row per billed request (use_rollup false; `priced_requests` is this view) or per
-- request group (true: cost_usd is the group's, `n` its requests).
-- Parameters: use_rollup (a per-connection table macro over the price tables).
-- Rules (Anthropic's pricing page):
--   * the price row is the latest one whose effective_from <= the request's UTC date;
--   * long-context tier: when the prompt (input + cache writes + cache reads) exceeds the
--     model's threshold, the WHOLE request (every token type, output included) is billed at
--     the long-context rates;
--   * multipliers stack: batch x fast mode x inference_geo "us" x partner regional endpoint;
--   * web search is $10 per 1,000 (price_defaults), outside the token multipliers;
--   * a model with no price gets cost_usd NULL (counted as unpriced), never $0.
-- Threshold tests use the band columns of request_units, exact for a request and for a group.
-- Each price row is turned into a validity range, so the lookup is an equi-join on the model
-- (a hash join) rather than an ASOF join that sorts every row; the UTC date comes from epoch
-- arithmetic rather than a time-zone-aware cast.  Both matter at a million rows.
WITH r AS (
    SELECT
        q.*,
        coalesce(a.model_id, q.model) AS model_id,
        q.input_tokens + q.cache_write_5m + q.cache_write_1h + q.cache_read AS prompt_tokens,
        DATE '1970-01-01' + CAST(epoch_us(q.ts) // 86400000000 AS INTEGER) AS price_date
    FROM request_units(use_rollup) AS q
    LEFT JOIN model_aliases AS a ON a.alias = q.model
),
price_ranges AS (
    SELECT
        *,
        coalesce(lead(effective_from) OVER (PARTITION BY model_id ORDER BY effective_from),
                 DATE '9999-12-31') AS effective_to
    FROM prices
),
rp AS (
    SELECT
        r.*,
        p.model_id AS priced_model,
        p.effective_from AS price_effective_from,
        p.rate_input, p.rate_output, p.rate_cache_write_5m, p.rate_cache_write_1h,
        p.rate_cache_read, p.long_context_threshold,
        p.lc_rate_input, p.lc_rate_output, p.lc_rate_cache_write_5m,
        p.lc_rate_cache_write_1h, p.lc_rate_cache_read,
        (CASE WHEN r.service_tier = 'batch' THEN coalesce(p.batch_multiplier, 1) ELSE 1 END)
          * (CASE WHEN r.speed = 'fast' THEN coalesce(p.fast_multiplier, 1) ELSE 1 END)
          * (CASE WHEN r.inference_geo = 'us' THEN coalesce(p.us_geo_multiplier, 1) ELSE 1 END)
          * (CASE WHEN r.endpoint_scope = 'regional'
                  THEN coalesce(m.partner_regional_multiplier, 1) ELSE 1 END) AS multiplier
    FROM r
    LEFT JOIN price_ranges AS p
        ON r.model_id = p.model_id
       AND r.price_date >= p.effective_from AND r.price_date < p.effective_to
    LEFT JOIN models AS m ON m.model_id = r.model_id
),
tiered AS (
    SELECT
        rp.*,
        coalesce(prompt_band > long_context_threshold, false) AS long_context
    FROM rp
),
-- The rates each request is billed at (per MTok, before multipliers).  Aggregate queries sum
-- tokens per distinct (rates, multiplier) and price the sums with billed_usd(): exact, since
-- cost is linear in tokens, and far cheaper than pricing every row.
billed AS (
    SELECT
        t.* EXCLUDE (rate_input, rate_output, rate_cache_write_5m, rate_cache_write_1h,
                     rate_cache_read, lc_rate_input, lc_rate_output, lc_rate_cache_write_5m,
                     lc_rate_cache_write_1h, lc_rate_cache_read),
        t.priced_model IS NOT NULL AS priced,
        CASE WHEN long_context THEN lc_rate_input ELSE rate_input END AS bill_input,
        CASE WHEN long_context THEN lc_rate_cache_write_5m ELSE rate_cache_write_5m END
            AS bill_cache_write_5m,
        CASE WHEN long_context THEN lc_rate_cache_write_1h ELSE rate_cache_write_1h END
            AS bill_cache_write_1h,
        CASE WHEN long_context THEN lc_rate_cache_read ELSE rate_cache_read END
            AS bill_cache_read,
        CASE WHEN long_context THEN lc_rate_output ELSE rate_output END AS bill_output
    FROM tiered AS t
)
SELECT
    b.*,
    billed_usd(input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
               web_search_requests, bill_input, bill_cache_write_5m, bill_cache_write_1h,
               bill_cache_read, bill_output, multiplier) AS cost_usd
FROM billed AS b
