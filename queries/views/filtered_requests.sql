-- filtered_requests(tz, since, until, workloads, models, sources, subagent): priced_requests
-- narrowed by the filters every report and page shares, with the local time and day in `tz`.
-- Grain: one row per billed request.  A NULL filter keeps everything; lists keep the rows whose
-- value is in the list (a request with no workload is '(none)').  since/until are local days,
-- inclusive.  Created per connection as a table macro, so the filter logic is written once.
SELECT *, timezone(tz, ts) AS local_ts, CAST(timezone(tz, ts) AS DATE) AS local_day
FROM priced_requests
WHERE (since IS NULL OR CAST(timezone(tz, ts) AS DATE) >= since)
  AND (until IS NULL OR CAST(timezone(tz, ts) AS DATE) <= until)
  AND (workloads IS NULL OR list_contains(workloads, coalesce(workload, '(none)')))
  AND (models IS NULL OR list_contains(models, model_id))
  AND (sources IS NULL OR list_contains(sources, source))
  AND (subagent IS NULL OR is_subagent = subagent)
