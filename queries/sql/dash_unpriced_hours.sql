-- dash_unpriced_hours: dash_unpriced.sql from the coarse rollup (usage_hours, migration 0007):
-- models with no price in force for some of their requests (cost NULL, not $0).
-- Grain: one row per logged model name.
-- Parameters: none (the caller checks rollup.usable).
-- Whether a request is priced depends only on its model and UTC date: it is when a price row of
-- its canonical model takes effect on or before that date (priced_units' rule: the rows of a
-- model run end to end from the first).  So usage_hours is summed per model and UTC hour first,
-- a UTC hour of a model is all priced or all unpriced, and a model's unpriced requests lie
-- between its first and last unpriced hour: the exact first/last timestamps come from that slice
-- of requests.
WITH h AS (
    SELECT model, hour, sum(requests) AS n
    FROM usage_hours
    GROUP BY model, hour
),
u AS (
    SELECT h.model, sum(h.n) AS requests, min(h.hour) AS first_hour, max(h.hour) AS last_hour
    FROM h
    LEFT JOIN model_aliases AS a ON a.alias = h.model
    WHERE NOT EXISTS (
        SELECT 1
        FROM prices AS p
        WHERE p.model_id = coalesce(a.model_id, h.model)
          AND p.effective_from
              <= DATE '1970-01-01' + CAST(epoch_us(h.hour) // 86400000000 AS INTEGER)
    )
    GROUP BY h.model
)
SELECT u.model, any_value(u.requests) AS requests, min(r.ts) AS first_ts, max(r.ts) AS last_ts
FROM u
JOIN requests AS r
    ON r.model = u.model
   AND r.ts >= u.first_hour
   AND r.ts < u.last_hour + INTERVAL 1 HOUR
GROUP BY u.model
ORDER BY requests DESC, u.model
