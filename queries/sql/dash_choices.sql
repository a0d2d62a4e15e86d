-- dash_choices: the values the sidebar filters offer, with how many requests carry each.
-- Grain: one row per (kind, value); kind is workload | model | source.
-- Parameters: $rollup  read request_groups (a few thousand rows) instead of every request;
--             the caller passes rollup.usable (the groups then cover every request).
WITH u AS (
    SELECT workload, model, source, requests AS n FROM request_groups WHERE $rollup
    UNION ALL
    SELECT workload, model, source, 1 AS n FROM requests WHERE NOT $rollup
)
SELECT 'workload' AS kind, coalesce(workload, '(none)') AS value, sum(n) AS requests
FROM u GROUP BY ALL
UNION ALL
SELECT 'model', coalesce(a.model_id, u.model), sum(n)
FROM u LEFT JOIN model_aliases AS a ON a.alias = u.model GROUP BY ALL
UNION ALL
SELECT 'source', source, sum(n) FROM u GROUP BY ALL
ORDER BY kind, requests DESC, value
