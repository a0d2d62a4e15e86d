-- filtered_units(tz, since, until, workloads, models, sources, subagent, use_rollup):
-- priced_units narrowed by the filters every report and page shares, with the local time and
-- day in `tz`.  Grain: one row per billed request, or per request group with use_rollup (the
-- caller checks rollup.usable: tz's offset is whole hours, so a UTC hour lies in one local day).
-- A NULL filter keeps everything; lists keep the rows whose value is in the list (a request with
-- no workload is '(none)').  since/until are local days, inclusive.  The rollup's local times
-- come from one conversion per hour of the data, not one per row.
WITH hours AS (
    SELECT h AS ts, timezone(tz, h) AS local_ts
    FROM (
        SELECT unnest(generate_series(min(hour), max(hour), INTERVAL 1 HOUR)) AS h
        FROM request_groups
        WHERE use_rollup
    )
),
u AS (
    SELECT p.*, coalesce(hours.local_ts, timezone(tz, p.ts)) AS local_ts
    FROM priced_units(use_rollup) AS p
    LEFT JOIN hours ON hours.ts = p.ts
)
SELECT *, CAST(local_ts AS DATE) AS local_day
FROM u
WHERE (since IS NULL OR CAST(local_ts AS DATE) >= since)
  AND (until IS NULL OR CAST(local_ts AS DATE) <= until)
  AND (workloads IS NULL OR list_contains(workloads, coalesce(workload, '(none)')))
  AND (models IS NULL OR list_contains(models, model_id))
  AND (sources IS NULL OR list_contains(sources, source))
  AND (subagent IS NULL OR is_subagent = subagent)
