-- count_merge: how a staged batch will merge into `requests`.
-- Grain: one row (new keys, keys whose stored record will be replaced by a fuller one).
-- Parameters: none; reads the registered Arrow table `staged`.
SELECT
    count(*) FILTER (WHERE r.request_key IS NULL) AS new_keys,
    count(*) FILTER (
        WHERE r.request_key IS NOT NULL
          AND s.input_tokens + s.cache_write_5m + s.cache_write_1h + s.cache_read + s.output_tokens
            > r.input_tokens + r.cache_write_5m + r.cache_write_1h + r.cache_read + r.output_tokens
    ) AS upgraded_keys
FROM staged AS s
LEFT JOIN requests AS r ON r.request_key = s.request_key
