-- dash_unpriced_hours: dash_unpriced.sql from the coarse rollup (usage_hours, migration 0007):
-- models with no price in force for some of their requests (cost NULL, not $0).
-- Grain: one row per logged model name.
-- Parameters: none (the caller checks rollup.usable).
-- Whether a request is priced depends only on its model and UTC date, so a UTC hour of a model
-- is all priced or all unpriced, and a model's unpriced requests lie between its first and last
-- unpriced hour: the exact first/last timestamps come from that slice of requests.
WITH u AS (
    SELECT model, sum(n) AS requests, min(hour) AS first_hour, max(hour) AS last_hour
    FROM hour_priced('UTC', NULL, NULL, NULL, NULL, NULL, NULL, false)
    WHERE NOT priced
    GROUP BY model
)
SELECT u.model, any_value(u.requests) AS requests, min(r.ts) AS first_ts, max(r.ts) AS last_ts
FROM u
JOIN requests AS r
    ON r.model = u.model
   AND r.ts >= u.first_hour
   AND r.ts < u.last_hour + INTERVAL 1 HOUR
GROUP BY u.model
ORDER BY requests DESC, u.model
