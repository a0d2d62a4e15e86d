-- workload_tag_values: what each workload's requests say about their task, for task classes.
-- Grain: one row per (workload, tag value); a workload with no matching tag still gets one row
-- with tag_value NULL, so every workload is classified.
-- Parameters:
--   $tag_keys  list of tag keys whose values name a task (e.g. ['task', 'task_type'])
--   $rollup    count requests in request_groups (caller: rollup.usable); tags are not in the
--              rollup, so tag values always come from the requests that carry tags
--   $tz, $since, $until, $workloads, $models, $sources, $subagent: as in usage_by.sql
-- Sources and the sub-agent share come along because some rules match on them.  No money here,
-- so located_units: the filters without the prices (21 ms against 55 ms at 1M requests).
WITH w AS (
    SELECT
        coalesce(workload, '(none)') AS workload,
        sum(n) AS requests,
        coalesce(sum(n) FILTER (WHERE is_subagent), 0) AS subagent_requests,
        list_sort(list_distinct(list(source))) AS sources
    FROM located_units($tz, $since, $until, $workloads, $models, $sources, $subagent, $rollup)
    GROUP BY 1
),
f AS (
    SELECT
        coalesce(workload, '(none)') AS workload,
        list_filter(
            list_transform($tag_keys, lambda k: lower(tags ->> k)),
            lambda v: v IS NOT NULL AND v <> ''
        ) AS tag_values
    FROM located_units($tz, $since, $until, $workloads, $models, $sources, $subagent, false)
    WHERE tags IS NOT NULL
),
t AS (
    SELECT workload, tag_value, count(*) AS tag_requests
    FROM (SELECT workload, unnest(tag_values) AS tag_value FROM f)
    GROUP BY workload, tag_value
)
SELECT w.workload, w.requests, w.subagent_requests, w.sources, t.tag_value,
       coalesce(t.tag_requests, 0) AS tag_requests
FROM w
LEFT JOIN t ON t.workload = w.workload
ORDER BY w.workload, tag_requests DESC, t.tag_value
