-- hist_blocks_delete: drop the latency_blocks of level $level that hold a touched hour.
-- Grain: statement.
-- Parameters: $level (1..7), $span (days per block at that level: 8^(level-1)).
DELETE FROM latency_blocks
WHERE level = $level
  AND start IN (SELECT DISTINCT to_timestamp(epoch_us(hour) // (86400000000 * CAST($span AS BIGINT))
                                             * (86400 * CAST($span AS BIGINT)))
                FROM rollup_hours)
