-- 0006: latency histograms kept with the rollup, so the Latency page and the target speeds read
-- bucket counts, never requests (queries/sketch.py: bucket = ceil(log_gamma(x)), gamma =
-- 1.01/0.99, so a percentile read from them is within 1% of the exact one).
-- metric: 0 latency_ms, 1 ttft_ms, 2 output tokens/s (output_tokens / generation seconds, for
-- requests with both timings, a positive generation time and an output token), 3 every request
-- once (bucket 0), so a group's request count needs no other table.  n: requests in the bucket.
-- Maintained by queries/rollup.py in the same refresh as request_groups.

-- Per UTC hour: the grain every other level is summed from, and what a window's edge hours read.
CREATE TABLE latency_hours (
    hour        TIMESTAMPTZ NOT NULL,
    model       VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    workload    VARCHAR,
    is_subagent BOOLEAN NOT NULL,
    metric      SMALLINT NOT NULL,
    bucket      INTEGER NOT NULL,
    n           BIGINT NOT NULL
);

-- Per aligned block of UTC days: level k covers 8^(k-1) days from `start` (a multiple of that
-- many days since 1970-01-01), k = 1..7.  A window of whole days is a few blocks per level, so
-- a query reads at most a few hundred thousand rows whatever the number of requests.
CREATE TABLE latency_blocks (
    level       SMALLINT NOT NULL,
    start       TIMESTAMPTZ NOT NULL,
    model       VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    workload    VARCHAR,
    is_subagent BOOLEAN NOT NULL,
    metric      SMALLINT NOT NULL,
    bucket      INTEGER NOT NULL,
    n           BIGINT NOT NULL
);

-- Requests the histograms cover when the rollup was last refreshed; NULL (a rollup built before
-- this migration) makes the next refresh rebuild everything, and readers compute exactly until then.
ALTER TABLE rollup_meta ADD COLUMN hist_requests BIGINT;
