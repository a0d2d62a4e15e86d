-- levers_last_request: when the window's last request was made (the switch-cost estimate reads
-- the days before it).
-- Grain: one row.
-- Parameters: $before (TIMESTAMPTZ: the end of the window's last local day, or NULL for none).
SELECT max(ts) AS last_ts
FROM requests
WHERE $before IS NULL OR ts < $before
