-- hist_fold_blocks: add one run's new requests (their counts in hist_delta, made with $add) to
-- the latency_blocks of every level that hold their hours, as hist_fold_hours.sql does for
-- latency_hours: a stored row grows by the run's count, a new key gets a row.  A block's counts
-- are the sum of its hours', so adding the run's sums per block equals recomputing the block
-- from the level below (hist_blocks_insert.sql), without reading it.
-- Grain: statement (one row per level x block x model x source x workload x sub-agent flag x
-- metric x bucket, as before).
-- Parameters: $levels (the number of levels: level k covers 8^(k-1) UTC days, aligned to
-- multiples of that many days since 1970-01-01, as hist_blocks_insert.sql computes `start`).
MERGE INTO latency_blocks AS t
USING (
    SELECT
        CAST(level AS SMALLINT) AS level,
        to_timestamp(epoch_us(hour) // (86400000000 * span) * (86400 * span)) AS start,
        model, source, workload, is_subagent, metric, bucket, sum(n)::BIGINT AS n
    FROM hist_delta,
         (SELECT level, CAST(1 AS BIGINT) << (3 * (level - 1)) AS span
          FROM range(1, $levels + 1) AS r(level))
    GROUP BY ALL
) AS d
ON t.level = d.level
   AND t.start = d.start
   AND t.model = d.model
   AND t.source = d.source
   AND t.workload IS NOT DISTINCT FROM d.workload
   AND t.is_subagent = d.is_subagent
   AND t.metric = d.metric
   AND t.bucket = d.bucket
WHEN MATCHED THEN UPDATE SET n = t.n + d.n
WHEN NOT MATCHED THEN INSERT (level, start, model, source, workload, is_subagent, metric, bucket, n)
    VALUES (d.level, d.start, d.model, d.source, d.workload, d.is_subagent, d.metric, d.bucket, d.n)
