-- workload_tag_values: what each workload's requests say about their task, for task classes.
-- Grain: one row per (workload, tag value); a workload with no matching tag still gets one row
-- with tag_value NULL, so every workload is classified.
-- Parameters:
--   $tag_keys  list of tag keys whose values name a task (e.g. ['task', 'task_type'])
--   $tz, $since, $until, $workloads, $models, $sources, $subagent: as in usage_by.sql
-- Sources and the sub-agent share come along because some rules match on them.
WITH f AS (
    SELECT
        coalesce(workload, '(none)') AS workload,
        source,
        is_subagent,
        list_filter(
            list_transform($tag_keys, lambda k: lower(tags ->> k)),
            lambda v: v IS NOT NULL AND v <> ''
        ) AS tag_values
    FROM filtered_units($tz, $since, $until, $workloads, $models, $sources, $subagent, false)
),
w AS (
    SELECT
        workload,
        count(*) AS requests,
        count(*) FILTER (WHERE is_subagent) AS subagent_requests,
        list_sort(list_distinct(list(source))) AS sources
    FROM f
    GROUP BY workload
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
