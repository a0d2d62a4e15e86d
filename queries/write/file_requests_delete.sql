-- file_requests_delete: drop the per-file counts about to be recounted.
-- Grain: statement.
-- Parameters: $all (true = every file; false = the files run $run added requests to), $run.
DELETE FROM file_requests
WHERE $all OR source_file IN (SELECT source_file FROM requests WHERE run_id = $run)
