-- project_units: the projection's money and counts, summed in SQL (the modelling on top is in
-- queries/projection/model.py).
-- Grain: one row per (workload, target, local day, sub-agent flag, on_target, priced,
-- ineligible reason): every key the scenario rules and the reasons need, nothing per request.
-- Parameters:
--   $targets, $tokenizer_factor, $pairs: as in macros/target_pairs.sql
--   $rollup  read request_groups instead of requests (caller: rollup.usable, and $pairs 'unit'
--            - a group's token sums convert exactly only at a token ratio of 1)
--   $tz, $since, $until, $workloads, $models, $sources, $subagent: as in usage_by.sql
-- Tokens are summed per distinct (current rates, target rates) and priced once with
-- billed_usd(), as in dash_overview.sql.  Target output cost is kept apart from the rest so the
-- caller can scale output by a per-workload output ratio exactly (the tier ignores output).
WITH s AS (
    SELECT
        workload_name AS workload, target, local_day, is_subagent, on_target, priced,
        ineligible_reason, movable,
        bill_input, bill_cache_write_5m, bill_cache_write_1h, bill_cache_read, bill_output,
        multiplier,
        tb_input, tb_cache_write_5m, tb_cache_write_1h, tb_cache_read, tb_output, t_multiplier,
        sum(n) AS n,
        sum(input_tokens) AS input_tokens,
        sum(cache_write_5m) AS cache_write_5m,
        sum(cache_write_1h) AS cache_write_1h,
        sum(cache_read) AS cache_read,
        sum(output_tokens) AS output_tokens,
        sum(web_search_requests) AS web_searches,
        sum(t_input) AS t_input,
        sum(t_w5) AS t_w5,
        sum(t_w1) AS t_w1,
        sum(t_read) AS t_read,
        sum(c_output) AS t_output
    FROM target_units($tz, $since, $until, $workloads, $models, $sources, $subagent, $rollup,
                      $targets, $tokenizer_factor, $pairs)
    GROUP BY ALL
),
c AS (
    SELECT
        s.*,
        billed_usd(input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,
                   web_searches, bill_input, bill_cache_write_5m, bill_cache_write_1h,
                   bill_cache_read, bill_output, multiplier) AS cost_usd,
        CASE WHEN movable THEN billed_usd(t_input, t_w5, t_w1, t_read, 0, web_searches,
                                          tb_input, tb_cache_write_5m, tb_cache_write_1h,
                                          tb_cache_read, 0, t_multiplier) END AS t_in_usd,
        CASE WHEN movable THEN billed_usd(0, 0, 0, 0, t_output, 0, 0, 0, 0, 0, tb_output,
                                          t_multiplier) END AS t_out_usd
    FROM s
)
SELECT
    workload,
    target,
    local_day,
    is_subagent,
    on_target,
    priced,
    ineligible_reason,
    sum(n) AS requests,
    sum(cost_usd) AS current_cost_usd,
    sum(n) FILTER (WHERE movable) AS movable_requests,
    sum(cost_usd) FILTER (WHERE movable) AS movable_current_usd,
    sum(t_in_usd) AS movable_target_in_usd,
    sum(t_out_usd) AS movable_target_out_usd
FROM c
GROUP BY ALL
ORDER BY target, workload, local_day, is_subagent, on_target, priced, ineligible_reason
