-- located_units(tz, since, until, workloads, models, sources, subagent, use_rollup):
-- request_units with the canonical model id and the local time and day in `tz`, narrowed by the
-- shared filters: filtered_units without the prices, for queries that never look at money
-- (latency).  Pricing every request costs two joins per row; at a million rows that is most of
-- a latency query.  Grain: one row per billed request, or per request group with use_rollup.
-- The filters are those of filtered_units.sql, written again here; tests/test_priced_view.py
-- checks both keep the same rows for every filter.
WITH hours AS (
    SELECT h AS ts, timezone(tz, h) AS local_ts
    FROM (
        SELECT unnest(generate_series(min(hour), max(hour), INTERVAL 1 HOUR)) AS h
        FROM request_groups
        WHERE use_rollup
    )
),
u AS (
    SELECT q.*, coalesce(a.model_id, q.model) AS model_id,
           coalesce(hours.local_ts, timezone(tz, q.ts)) AS local_ts
    FROM request_units(use_rollup) AS q
    LEFT JOIN model_aliases AS a ON a.alias = q.model
    LEFT JOIN hours ON hours.ts = q.ts
)
SELECT *, CAST(local_ts AS DATE) AS local_day
FROM u
WHERE (since IS NULL OR CAST(local_ts AS DATE) >= since)
  AND (until IS NULL OR CAST(local_ts AS DATE) <= until)
  AND (workloads IS NULL OR list_contains(workloads, coalesce(workload, '(none)')))
  AND (models IS NULL OR list_contains(models, model_id))
  AND (sources IS NULL OR list_contains(sources, source))
  AND (subagent IS NULL OR is_subagent = subagent)
