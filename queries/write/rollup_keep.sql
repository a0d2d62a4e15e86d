-- rollup_keep: save the groups of the touched hours before rollup_delete drops them, so
-- rollup_insert can fold a run's new requests into them without reading older requests.
-- Grain: one row per existing group of an hour in rollup_hours.
-- Parameters: $add (false = keep nothing: the hours are recomputed from requests instead).
CREATE OR REPLACE TEMP TABLE rollup_old AS
SELECT * FROM request_groups
WHERE $add AND hour IN (SELECT hour FROM rollup_hours)
