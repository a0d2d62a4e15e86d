-- dash_date_bounds: the first and last local day with data (the date filter's default range)
-- and how many requests are stored.
-- Grain: one row (NULL days and 0 requests for an empty database).
-- Parameters: $tz (IANA zone for calendar days).
SELECT
    CAST(timezone($tz, min(ts)) AS DATE) AS first_day,
    CAST(timezone($tz, max(ts)) AS DATE) AS last_day,
    count(*) AS requests
FROM requests
