-- table macro located_units(tz, since, until, workloads, models, sources, subagent,
--     use_rollup):
-- request_units with the canonical model id and the local time and day in `tz`, narrowed by the
-- shared filters (unit_kept): filtered_units without the prices, for queries that never look at
-- money (latency).  Pricing every request costs two joins per row; at a million rows that is
-- most of a latency query.  Grain: one row per billed request, or per request group with
-- use_rollup.  tests/test_priced_view.py checks both keep the same rows for every filter.
WITH u AS (
    SELECT q.*, coalesce(a.model_id, q.model) AS model_id,
           coalesce(hours.local_ts, timezone(tz, q.ts)) AS local_ts
    FROM request_units(use_rollup) AS q
    LEFT JOIN model_aliases AS a ON a.alias = q.model
    LEFT JOIN unit_hours(tz, use_rollup) AS hours ON hours.ts = q.ts
)
SELECT *, CAST(local_ts AS DATE) AS local_day
FROM u
WHERE unit_kept(CAST(local_ts AS DATE), workload, model_id, source, is_subagent,
                since, until, workloads, models, sources, subagent)
