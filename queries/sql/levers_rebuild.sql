-- levers_rebuild: what the target would have to write into its own prompt cache right after a
-- move (caches are per model), per workload and target.
-- Grain: one row per (workload, target) with moved requests that cache on the target.
-- Parameters:
--   $targets, $tokenizer_factor  as in macros/target_pairs.sql (pairs 'all', requests one by one)
--   $move_all   workloads the scenario moves whole; $move_sub  workloads whose sub-agent calls move
--   $tz, $since, $until, $workloads, $models, $sources, $subagent  as in usage_by.sql
--   $recent_from  only requests from this instant on (the caller: 7 days before the window's
--                 last request; what recent traffic keeps cached is what a switch rebuilds)
-- Method: a request's cached prefix on the target is t_w5 + t_w1 + t_read (its cache writes and
-- reads in the target's tokens, zero where the target would not cache them).  A workload's TTL
-- is 1 hour when its 1-hour writes outweigh its 5-minute ones, else 5 minutes; time is cut into
-- windows of that length (UTC epoch).  In each window, each session (or the workload, for logs
-- without sessions) holds its largest prefix; their sum is what is cached in that window.  The
-- caller takes the mean over the windows with cached traffic as the rebuild, in tokens.
WITH u AS (
    SELECT
        workload_name AS workload, target, coalesce(session_id, '') AS session_key, ts,
        t_w5, t_w1, t_w5 + t_w1 + t_read AS cached
    FROM target_pairs($tz, $since, $until, $workloads, $models, $sources, $subagent, false,
                      $targets, $tokenizer_factor, 'all')
    WHERE ts >= $recent_from  -- a raw column: the filter reaches the scan
      AND movable
      AND (list_contains($move_all, workload_name)
           OR (is_subagent AND list_contains($move_sub, workload_name)))
),
ttl AS (
    SELECT
        workload, target,
        sum(t_w5) AS write_5m_tokens,
        sum(t_w1) AS write_1h_tokens,
        CASE WHEN sum(t_w1) > sum(t_w5) THEN 3600 ELSE 300 END AS ttl_seconds
    FROM u
    GROUP BY ALL
),
per_session AS (
    SELECT
        u.workload, u.target,
        epoch_us(u.ts) // (CAST(ttl.ttl_seconds AS BIGINT) * 1000000) AS win,
        u.session_key, max(u.cached) AS prefix
    FROM u
    JOIN ttl USING (workload, target)
    WHERE u.cached > 0
    GROUP BY ALL
),
per_window AS (
    SELECT workload, target, win, sum(prefix) AS cached
    FROM per_session
    GROUP BY ALL
)
SELECT
    ttl.workload, ttl.target, ttl.write_5m_tokens, ttl.write_1h_tokens, ttl.ttl_seconds,
    count(w.win) AS windows,
    CAST(coalesce(sum(w.cached), 0) AS BIGINT) AS cached_tokens
FROM ttl
JOIN per_window AS w USING (workload, target)
GROUP BY ALL
ORDER BY ttl.workload, ttl.target
