-- hist_fold_hours: add one run's new requests (their counts in hist_delta, made with $add) to
-- latency_hours: a stored row of the same hour and key grows by the run's count, a key the hour
-- did not have yet gets a row.  Equal to recomputing the hours when the run updated no stored
-- request (queries/rollup.py decides), without reading the hours' older rows or requests.
-- Grain: statement (one row per hour x model x source x workload x sub-agent flag x metric x
-- bucket, as before).
-- Parameters: none.
MERGE INTO latency_hours AS t
USING hist_delta AS d
ON t.hour = d.hour
   AND t.model = d.model
   AND t.source = d.source
   AND t.workload IS NOT DISTINCT FROM d.workload
   AND t.is_subagent = d.is_subagent
   AND t.metric = d.metric
   AND t.bucket = d.bucket
WHEN MATCHED THEN UPDATE SET n = t.n + d.n
WHEN NOT MATCHED THEN INSERT (hour, model, source, workload, is_subagent, metric, bucket, n)
    VALUES (d.hour, d.model, d.source, d.workload, d.is_subagent, d.metric, d.bucket, d.n)
