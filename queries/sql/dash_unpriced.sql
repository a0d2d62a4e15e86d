-- dash_unpriced: models with no price in force for some of their requests (cost NULL, not $0).
-- Grain: one row per logged model name.
-- Parameters: none.
SELECT model, count(*) AS requests, min(ts) AS first_ts, max(ts) AS last_ts
FROM priced_requests
WHERE NOT priced
GROUP BY model
ORDER BY requests DESC, model
