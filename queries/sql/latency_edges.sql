-- latency_edges: which hours of the UTC days at a window's ends fall on its local days.
-- Grain: one row per hour of the given days.
-- Parameters: $tz, $since, $until (local days, inclusive; NULL = open), $days (UTC days).
-- The local day of an hour is DuckDB's (ICU) conversion, as for every other query.
SELECT
    d AS day,
    h AS hour,
    ($since IS NULL OR CAST(timezone($tz, h) AS DATE) >= $since)
        AND ($until IS NULL OR CAST(timezone($tz, h) AS DATE) <= $until) AS kept
FROM (
    SELECT d, unnest(generate_series(d, d + INTERVAL 23 HOUR, INTERVAL 1 HOUR)) AS h
    FROM (SELECT unnest($days::TIMESTAMPTZ[]) AS d)
)
ORDER BY h
