-- focus_unpriced: the requests `export --focus` leaves out because their model has no price
-- (a FOCUS row needs a cost, and switchcost never bills an unpriced model at $0).
-- Grain: one row per unpriced model.
-- Parameters:
--   $rollup  read request_groups instead of requests (as in focus_cost.sql)
SELECT model_id, sum(n)::BIGINT AS requests
FROM priced_units($rollup)
WHERE NOT priced
GROUP BY model_id
ORDER BY model_id
