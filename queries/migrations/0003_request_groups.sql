-- 0003: the rollup the reports and the dashboard read instead of scanning every request.
-- Grain: one row per UTC hour x every attribute that filters, groups or prices a request, x the
-- "band" of each per-request threshold.  A band column holds the smallest value of its band
-- (the largest boundary below the request's value, plus one; 0 below every boundary), so that
-- `band > T` is exactly `value > T` for every boundary T in the price file: long-context
-- thresholds and context windows (prompt), minimum cacheable lengths minus one and 0 (cached
-- tokens), max output (output).  Rates are applied after aggregation (cost is linear in
-- tokens), so a price change that keeps the boundaries needs no rebuild.
-- Maintained by queries/rollup.py inside each ingest transaction.

CREATE TABLE request_groups (
    hour                TIMESTAMPTZ NOT NULL,   -- UTC hour the requests started in
    model               VARCHAR NOT NULL,
    platform            VARCHAR NOT NULL,
    endpoint_scope      VARCHAR,
    source              VARCHAR NOT NULL,
    project             VARCHAR,
    workload            VARCHAR,
    session_id          VARCHAR,
    is_subagent         BOOLEAN NOT NULL,
    service_tier        VARCHAR,
    speed               VARCHAR,
    inference_geo       VARCHAR,
    cache_split_unknown BOOLEAN NOT NULL,
    prompt_band         BIGINT NOT NULL,        -- input + cache writes + cache reads
    cached_band         BIGINT NOT NULL,        -- cache writes + cache reads
    output_band         BIGINT NOT NULL,
    requests            BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    cache_write_5m      BIGINT NOT NULL,
    cache_write_1h      BIGINT NOT NULL,
    cache_read          BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    web_search_requests BIGINT NOT NULL
);

-- One row: the boundary set the rollup was built with (canonical JSON) and how many requests
-- it covered, so readers can tell whether it is usable.
CREATE TABLE rollup_meta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    boundaries VARCHAR NOT NULL,
    requests   BIGINT NOT NULL,
    built_at   TIMESTAMPTZ NOT NULL
);
