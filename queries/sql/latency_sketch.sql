-- latency_sketch: latency_stats.sql's table read from the latency histograms (migration 0006),
-- each percentile within 1% of the exact one (queries/sketch.py has the arithmetic and the
-- argument).  Grain and columns as latency_stats.sql.
-- Parameters:
--   $tz, $since, $until, $workloads, $models, $sources, $subagent: as in usage_by.sql
--   $levels, $starts  the blocks of whole UTC days inside the window (queries/latency.py)
--   $edge_days        the UTC days at the window's ends, whose hours may straddle it: a day
--                     whose 24 hours are all in the window is read as its day block, else
--                     its hours in the window are read one by one
-- Rank rule: numpy's linear interpolation (as quantile_cont), over the values in order, each
-- value replaced by its bucket's representative 2 gamma^i / (gamma + 1).
WITH edge AS (
    SELECT d, h,
           unit_kept(CAST(timezone($tz, h) AS DATE), NULL, NULL, NULL, NULL,
                     $since, $until, NULL, NULL, NULL, NULL) AS kept
    FROM (SELECT unnest($edge_days::TIMESTAMPTZ[]) AS d)
    CROSS JOIN LATERAL (SELECT unnest(generate_series(d, d + INTERVAL 23 HOUR,
                                                      INTERVAL 1 HOUR)) AS h)
),
edge_days AS (
    SELECT d, bool_and(kept) AS whole FROM edge GROUP BY d
),
blocks AS (
    SELECT unnest($levels::SMALLINT[]) AS level, unnest($starts::TIMESTAMPTZ[]) AS start
    UNION ALL
    SELECT 1, d FROM edge_days WHERE whole
),
h AS (
    SELECT model, source, workload, is_subagent, metric, bucket, n
    FROM latency_blocks JOIN blocks USING (level, start)
    UNION ALL
    SELECT model, source, workload, is_subagent, metric, bucket, n
    FROM latency_hours
    WHERE hour >= (SELECT coalesce(min(d), 'infinity'::TIMESTAMPTZ) FROM edge)
      AND hour <= (SELECT coalesce(max(h), '-infinity'::TIMESTAMPTZ) FROM edge)
      AND hour IN (SELECT h FROM edge JOIN edge_days USING (d) WHERE kept AND NOT whole)
),
f AS (
    SELECT coalesce(a.model_id, h.model) AS model_id,
           coalesce(h.workload, '(none)') AS workload, metric, bucket, n
    FROM h
    LEFT JOIN model_aliases AS a ON a.alias = h.model
    WHERE unit_kept(NULL, h.workload, coalesce(a.model_id, h.model), h.source, h.is_subagent,
                    NULL, NULL, $workloads, $models, $sources, $subagent)
),
s AS (
    SELECT
        CASE WHEN grouping(model_id) = 0 THEN 'model' ELSE 'workload' END AS dim,
        coalesce(model_id, workload) AS grp,
        metric, bucket, CAST(sum(n) AS BIGINT) AS n
    FROM f
    GROUP BY GROUPING SETS ((model_id, metric, bucket), (workload, metric, bucket))
),
c AS (
    SELECT
        dim, grp, metric, n,
        CASE
            WHEN bucket > -100000 THEN 2 * pow(1.01 / 0.99, bucket) / (1.01 / 0.99 + 1)
            WHEN bucket = -500000 THEN 0.0
            ELSE -2 * pow(1.01 / 0.99, -1000000 - bucket) / (1.01 / 0.99 + 1)
        END AS v,
        CAST(sum(n) OVER (PARTITION BY dim, grp, metric ORDER BY bucket
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS upto,
        CAST(sum(n) OVER (PARTITION BY dim, grp, metric) AS BIGINT) AS total
    FROM s
    WHERE metric < 3
),
q AS (
    -- v at rank k is the smallest v whose cumulative count exceeds k.
    SELECT dim, grp, metric, i, total,
           min(v) FILTER (WHERE upto > floor((total - 1) * p)) AS lo,
           min(v) FILTER (WHERE upto > ceil((total - 1) * p)) AS hi,
           (total - 1) * p - floor((total - 1) * p) AS frac
    FROM c CROSS JOIN (VALUES (1, 0.50), (2, 0.95), (3, 0.99)) AS ps(i, p)
    GROUP BY dim, grp, metric, i, total, p
),
m AS (
    SELECT dim, grp, metric, any_value(total) AS total,
           list(lo + frac * (hi - lo) ORDER BY i) AS pct
    FROM q GROUP BY dim, grp, metric
),
g AS (
    SELECT dim, grp,
           any_value(total) FILTER (WHERE metric = 0) AS latency_samples,
           any_value(pct) FILTER (WHERE metric = 0) AS lat,
           any_value(total) FILTER (WHERE metric = 1) AS ttft_samples,
           any_value(pct) FILTER (WHERE metric = 1) AS ttft,
           any_value(total) FILTER (WHERE metric = 2) AS speed_samples,
           any_value(pct) FILTER (WHERE metric = 2) AS tps
    FROM m GROUP BY dim, grp
),
r AS (
    SELECT dim, grp, CAST(sum(n) AS BIGINT) AS requests FROM s WHERE metric = 3 GROUP BY dim, grp
)
SELECT
    dim,
    grp,
    requests,
    coalesce(latency_samples, 0) AS latency_samples,
    lat[1] AS latency_p50_ms,
    lat[2] AS latency_p95_ms,
    lat[3] AS latency_p99_ms,
    coalesce(ttft_samples, 0) AS ttft_samples,
    ttft[1] AS ttft_p50_ms,
    ttft[2] AS ttft_p95_ms,
    ttft[3] AS ttft_p99_ms,
    coalesce(speed_samples, 0) AS speed_samples,
    tps[1] AS tokens_per_s_p50,
    tps[2] AS tokens_per_s_p95,
    tps[3] AS tokens_per_s_p99
FROM r JOIN g USING (dim, grp)
WHERE coalesce(latency_samples, 0) > 0 OR coalesce(ttft_samples, 0) > 0
ORDER BY dim, grp
