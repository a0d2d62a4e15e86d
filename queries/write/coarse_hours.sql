-- coarse_hours: the UTC hours whose coarse rollup rows (usage_hours, session_hours) are
-- recomputed from request_groups next.
-- Grain: one row per hour.
-- Parameters: $hours (TIMESTAMPTZ list: the hours the rollup refresh recomputed, or a slice of
--             every hour of request_groups for a rebuild).
CREATE OR REPLACE TEMP TABLE coarse_hours AS
SELECT unnest($hours::TIMESTAMPTZ[]) AS hour
