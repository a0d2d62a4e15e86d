-- table macro filtered_units(tz, since, until, workloads, models, sources, subagent,
--     use_rollup):
-- priced_units narrowed by the shared filters (unit_kept), with the local time and day in `tz`.
-- Grain: one row per billed request, or per request group with use_rollup (the caller checks
-- rollup.usable: tz's offset is whole hours, so a UTC hour lies in one local day).
WITH u AS (
    SELECT p.*, coalesce(hours.local_ts, timezone(tz, p.ts)) AS local_ts
    FROM priced_units(use_rollup) AS p
    LEFT JOIN unit_hours(tz, use_rollup) AS hours ON hours.ts = p.ts
)
SELECT *, CAST(local_ts AS DATE) AS local_day
FROM u
WHERE unit_kept(CAST(local_ts AS DATE), workload, model_id, source, is_subagent,
                since, until, workloads, models, sources, subagent)
