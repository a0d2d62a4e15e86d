-- hist_insert: latency_hours for the hours being recomputed (hist_delete.sql emptied them), from
-- the counts hist_delta.sql made of every request of those hours.
-- Grain: one row per UTC hour x model x source x workload x sub-agent flag x metric x bucket.
-- Parameters: none (the counts are in hist_delta).
INSERT INTO latency_hours
SELECT hour, model, source, workload, is_subagent, metric, bucket, n
FROM hist_delta
