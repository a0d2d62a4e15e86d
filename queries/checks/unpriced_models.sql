-- unpriced_models (audit): models with requests but no price in force on their day.
-- Grain: one row per model; an empty result means every request is priced.
-- Parameters: none.
SELECT model, count(*) AS requests, min(ts) AS first_seen, max(ts) AS last_seen
FROM priced_requests
WHERE NOT priced
GROUP BY model
ORDER BY requests DESC, model
