-- unpriced_in_run: models written by one ingest run that have no price in force.
-- Grain: one row per model.
-- Parameters: $run (ingest run id).
SELECT model, count(*) AS requests
FROM priced_requests
WHERE run_id = $run AND NOT priced
GROUP BY model
ORDER BY requests DESC, model
