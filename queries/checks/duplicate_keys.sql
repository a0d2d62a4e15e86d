-- duplicate_keys (audit): the same API response stored under two keys (same message id).
-- Grain: one row per message id seen more than once; empty means no double counting.
-- Parameters: none.
SELECT message_id, count(*) AS copies, list(request_key ORDER BY request_key) AS keys
FROM requests
WHERE message_id IS NOT NULL
GROUP BY message_id
HAVING count(*) > 1
ORDER BY message_id
