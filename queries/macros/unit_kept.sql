-- scalar macro unit_kept(local_day, workload, model_id, source, is_subagent, since, until,
--     workloads, models, sources, subagent): the filters every report and page shares,
-- written once (a per-connection scalar macro used by filtered_units and located_units).  A NULL
-- filter keeps everything; lists keep the rows whose value is in the list (a request with no
-- workload is '(none)'); since and until are local days, inclusive.
    (since IS NULL OR local_day >= since)
AND (until IS NULL OR local_day <= until)
AND (workloads IS NULL OR list_contains(workloads, coalesce(workload, '(none)')))
AND (models IS NULL OR list_contains(models, model_id))
AND (sources IS NULL OR list_contains(sources, source))
AND (subagent IS NULL OR is_subagent = subagent)
