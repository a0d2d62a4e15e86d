-- table macro unit_hours(tz, use_rollup): each UTC hour of the rollup with its local time
-- in `tz`, so the rollup's local times come from one conversion per hour of the data, not one per
-- row; empty without use_rollup (requests convert their own timestamps).  A per-connection table
-- macro used by filtered_units and located_units.
SELECT h AS ts, timezone(tz, h) AS local_ts
FROM (
    SELECT unnest(generate_series(min(hour), max(hour), INTERVAL 1 HOUR)) AS h
    FROM request_groups
    WHERE use_rollup
)
