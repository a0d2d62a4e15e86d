-- 0001: the request-grain store and the bookkeeping that makes ingest incremental and idempotent.
-- Token counts are the billed counts from the API's usage block; no prompt or response text.

CREATE SEQUENCE ingest_run_seq START 1;

CREATE TABLE ingest_runs (
    run_id            BIGINT PRIMARY KEY,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ NOT NULL,
    files_read        INTEGER NOT NULL,
    new_requests      BIGINT NOT NULL,
    duplicates        BIGINT NOT NULL,
    malformed_lines   BIGINT NOT NULL,
    unpriced_requests BIGINT NOT NULL
);

-- One row per file ever read: how far we got, so the next run reads only what was appended.
CREATE TABLE source_files (
    path        VARCHAR PRIMARY KEY,
    format      VARCHAR NOT NULL,
    size        BIGINT NOT NULL,
    mtime       DOUBLE NOT NULL,
    bytes_done  BIGINT NOT NULL,   -- offset just past the last complete line consumed
    lines_done  BIGINT NOT NULL,   -- number of lines before bytes_done
    head_hash   VARCHAR NOT NULL,  -- hash of the first bytes: a replaced file is re-read
    resets      INTEGER NOT NULL DEFAULT 0,
    last_run_id BIGINT NOT NULL
);

CREATE TABLE malformed_lines (
    path   VARCHAR NOT NULL,
    line   BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    run_id BIGINT NOT NULL,
    PRIMARY KEY (path, line)
);

-- One row per billed API request.  request_key is unique, kept so by the loader's merge (and
-- checked by queries/checks/duplicate_keys.sql); no index, because an ART index over hundreds
-- of thousands of string keys costs more memory and time than the whole ingest.
CREATE TABLE requests (
    request_key         VARCHAR NOT NULL,      -- dedup key (message id, request id, ...)
    source              VARCHAR NOT NULL,      -- reader that produced it: claude-code, messages, ...
    source_file         VARCHAR NOT NULL,
    source_line         BIGINT NOT NULL,
    ts                  TIMESTAMPTZ NOT NULL,
    model               VARCHAR NOT NULL,      -- as logged, lower-cased, [1m] suffix removed
    platform            VARCHAR NOT NULL DEFAULT 'anthropic',  -- anthropic | bedrock | vertex | ...
    endpoint_scope      VARCHAR,               -- partner clouds: global | regional
    message_id          VARCHAR,
    request_id          VARCHAR,
    input_tokens        BIGINT NOT NULL,       -- uncached input
    cache_write_5m      BIGINT NOT NULL,
    cache_write_1h      BIGINT NOT NULL,
    cache_read          BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,       -- includes thinking
    web_search_requests BIGINT NOT NULL DEFAULT 0,
    cache_split_unknown BOOLEAN NOT NULL DEFAULT false,  -- writes logged as one lump: priced at 5m
    service_tier        VARCHAR,               -- standard | batch | priority
    speed               VARCHAR,               -- standard | fast
    inference_geo       VARCHAR,               -- global | us | not_available
    project             VARCHAR,
    session_id          VARCHAR,
    workload            VARCHAR,
    is_subagent         BOOLEAN NOT NULL DEFAULT false,
    agent_id            VARCHAR,
    tags                JSON,
    latency_ms          DOUBLE,
    ttft_ms             DOUBLE,
    run_id              BIGINT NOT NULL
);
