-- levers_caching: what prompt caching would save where requests repeat a long prompt and use
-- no cache at all, on their current model.
-- Grain: one row per (workload, model) with at least two such requests.
-- Parameters: $tz, $since, $until, $workloads, $models, $sources, $subagent as in usage_by.sql
-- (requests one by one: the rule needs each request's time).
-- Eligible: priced, no cache read and no cache write, uncached input of at least the model's
-- min_cacheable_tokens (prices.toml).  Assumed: the requests of a (workload, model) share a
-- prefix as long as the smallest of their prompts (`prefix_tokens`), cached for 5 minutes and
-- refreshed on each use.  Then a request within 5 minutes of the previous one reads the prefix
-- (input rate -> cache-read rate); any other request writes it (input rate -> 5-minute write
-- rate).  Every amount is priced with billed_usd() at the request's own rates and multipliers.
WITH e AS (
    SELECT
        coalesce(f.workload, '(none)') AS workload, f.model_id, f.ts, f.request_key,
        f.input_tokens, f.bill_input, f.bill_cache_write_5m, f.bill_cache_read, f.multiplier,
        m.min_cacheable_tokens
    FROM filtered_units($tz, $since, $until, $workloads, $models, $sources, $subagent, false)
        AS f
    JOIN models AS m ON m.model_id = f.model_id
    WHERE f.priced
      AND f.cache_read = 0 AND f.cache_write_5m = 0 AND f.cache_write_1h = 0
      AND m.min_cacheable_tokens IS NOT NULL
      AND f.input_tokens >= m.min_cacheable_tokens
),
s AS (
    SELECT
        e.*,
        min(input_tokens) OVER w AS prefix_tokens,
        count(*) OVER w AS eligible,
        lag(ts) OVER (PARTITION BY workload, model_id ORDER BY ts, request_key) AS previous_ts
    FROM e
    WINDOW w AS (PARTITION BY workload, model_id)
),
k AS (
    SELECT
        s.*,
        coalesce(ts - previous_ts <= INTERVAL 5 MINUTE, false) AS hit,
        billed_usd(prefix_tokens, 0, 0, 0, 0, 0, bill_input, bill_cache_write_5m, 0,
                   bill_cache_read, 0, multiplier) AS as_input_usd,
        billed_usd(0, prefix_tokens, 0, 0, 0, 0, bill_input, bill_cache_write_5m, 0,
                   bill_cache_read, 0, multiplier) AS as_write_usd,
        billed_usd(0, 0, 0, prefix_tokens, 0, 0, bill_input, bill_cache_write_5m, 0,
                   bill_cache_read, 0, multiplier) AS as_read_usd
    FROM s
    WHERE eligible >= 2
)
SELECT
    workload, model_id,
    any_value(min_cacheable_tokens) AS min_cacheable_tokens,
    any_value(prefix_tokens) AS prefix_tokens,
    count(*) AS requests,
    count(*) FILTER (WHERE hit) AS reads,
    count(*) FILTER (WHERE NOT hit) AS writes,
    CAST(sum(CASE WHEN hit THEN as_input_usd - as_read_usd ELSE as_input_usd - as_write_usd END)
         AS DECIMAL(38, 12)) AS savings_usd
FROM k
GROUP BY workload, model_id
ORDER BY workload, model_id
