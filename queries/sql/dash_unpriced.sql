-- dash_unpriced: models with no price in force for some of their requests (cost NULL, not $0).
-- Grain: one row per logged model name.
-- Parameters: $rollup  find them in request_groups (caller: rollup.usable) instead of pricing
--             every request.
-- Whether a request is priced depends only on its model and UTC date, so a UTC hour of a model
-- is all priced or all unpriced, and a model's unpriced requests lie between its first and last
-- unpriced hour: the exact first/last timestamps come from that slice of requests.
WITH u AS (
    SELECT model, sum(n) AS requests, min(hour) AS first_hour, max(hour) AS last_hour
    FROM (SELECT *, to_timestamp(epoch_us(ts) // 3600000000 * 3600) AS hour
          FROM priced_units($rollup))
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
