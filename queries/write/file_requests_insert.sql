-- file_requests_insert: count the requests of every file (or of the files run $run added
-- requests to), with their first and last time.
-- Grain: one row per source file x source.
-- Parameters: $all (true = every file), $run (the ingest run, used when $all is false).
-- A run that only inserted changes only its own files; one that updated stored requests may
-- have moved a request out of a file it did not read, so its caller recounts every file.
INSERT INTO file_requests
SELECT source_file, source, count(*), min(ts), max(ts)
FROM requests
WHERE $all OR source_file IN (SELECT source_file FROM requests WHERE run_id = $run)
GROUP BY ALL
