-- dash_choices: the values the sidebar filters offer, with how many requests carry each.
-- Grain: one row per (kind, value); kind is workload | model | source.
-- Parameters: none.
SELECT 'workload' AS kind, coalesce(workload, '(none)') AS value, count(*) AS requests
FROM requests GROUP BY ALL
UNION ALL
SELECT 'model', coalesce(a.model_id, r.model), count(*)
FROM requests AS r LEFT JOIN model_aliases AS a ON a.alias = r.model GROUP BY ALL
UNION ALL
SELECT 'source', source, count(*) FROM requests GROUP BY ALL
ORDER BY kind, requests DESC, value
