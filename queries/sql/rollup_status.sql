-- rollup_status: whether request_groups can stand in for requests for a time zone.
-- Grain: one row.
-- Parameters: $tz (IANA zone the query will use for calendar days).
-- The rollup is usable when it was built with the current boundary set (compared by the caller),
-- covers every stored request, and $tz's UTC offset is a whole number of hours at every hour
-- of the data (so each UTC hour lies inside one local day).
SELECT
    (SELECT any_value(boundaries) FROM rollup_meta) AS boundaries,
    (SELECT any_value(requests) FROM rollup_meta) AS rollup_requests,
    (SELECT any_value(hist_requests) FROM rollup_meta) AS hist_requests,
    (SELECT count(*) FROM requests) AS requests,
    (
        SELECT coalesce(bool_and(minute(timezone($tz, h)) = 0 AND second(timezone($tz, h)) = 0),
                        true)
        FROM (
            SELECT unnest(generate_series(min(hour), max(hour), INTERVAL 1 HOUR)) AS h
            FROM request_groups
        )
    ) AS whole_hours
