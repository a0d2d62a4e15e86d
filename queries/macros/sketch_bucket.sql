-- scalar macro sketch_bucket(x): the log bucket of a value, as queries/sketch.py `bucket`
-- computes it (x > 0: ceil(ln x / ln(1.01/0.99)); 0: -500000; x < 0: -1000000 - the bucket of
-- -x; NULL for a value that is not finite or is NULL), so a percentile read from the counts is
-- within 1% of the exact one.  Used by project_latency_sketch.sql.
CASE
    WHEN NOT isfinite(x) THEN NULL
    WHEN x > 0 THEN CAST(ceil(ln(x) / ln(1.01 / 0.99)) AS INTEGER)
    WHEN x = 0 THEN -500000
    ELSE -1000000 - CAST(ceil(ln(-x) / ln(1.01 / 0.99)) AS INTEGER)
END
