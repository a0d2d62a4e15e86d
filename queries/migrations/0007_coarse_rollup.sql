-- 0007: coarse rollups beside request_groups, for the pages that need no session grain, and a
-- per-file count, so the Overview, the Data page and their filters read tables whose size does not
-- follow the number of requests.
-- usage_hours: request_groups without the session, and with only the prompt band: the current
-- price of a request depends on its prompt alone among its token counts (long context), so
-- `prompt_band > T` keeps every current price exact; the cached and output bands only decide a
-- move to a target, which the projection reads from request_groups.  session_hours: the same
-- with the session instead of the project (the Overview's top sessions).  file_requests: requests
-- per source file and reader, with their first and last time (the Data page).
-- Maintained by queries/coarse_rollup.py in the same refresh as request_groups; usable exactly
-- when request_groups is (queries/rollup.py `usable`).  Filled here from the tables they sum.

CREATE TABLE usage_hours (
    hour                TIMESTAMPTZ NOT NULL,   -- UTC hour the requests started in
    model               VARCHAR NOT NULL,
    endpoint_scope      VARCHAR,
    source              VARCHAR NOT NULL,
    project             VARCHAR,
    workload            VARCHAR,
    is_subagent         BOOLEAN NOT NULL,
    service_tier        VARCHAR,
    speed               VARCHAR,
    inference_geo       VARCHAR,
    prompt_band         BIGINT NOT NULL,        -- as in request_groups
    requests            BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    cache_write_5m      BIGINT NOT NULL,
    cache_write_1h      BIGINT NOT NULL,
    cache_read          BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    web_search_requests BIGINT NOT NULL
);

CREATE TABLE session_hours (
    hour                TIMESTAMPTZ NOT NULL,
    model               VARCHAR NOT NULL,
    endpoint_scope      VARCHAR,
    source              VARCHAR NOT NULL,
    session_id          VARCHAR,
    workload            VARCHAR,
    is_subagent         BOOLEAN NOT NULL,
    service_tier        VARCHAR,
    speed               VARCHAR,
    inference_geo       VARCHAR,
    prompt_band         BIGINT NOT NULL,
    requests            BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    cache_write_5m      BIGINT NOT NULL,
    cache_write_1h      BIGINT NOT NULL,
    cache_read          BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    web_search_requests BIGINT NOT NULL
);

CREATE TABLE file_requests (
    source_file VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    requests    BIGINT NOT NULL,
    first_ts    TIMESTAMPTZ NOT NULL,
    last_ts     TIMESTAMPTZ NOT NULL
);

INSERT INTO usage_hours
SELECT hour, model, endpoint_scope, source, project, workload, is_subagent, service_tier, speed,
       inference_geo, prompt_band, sum(requests), sum(input_tokens), sum(cache_write_5m),
       sum(cache_write_1h), sum(cache_read), sum(output_tokens), sum(web_search_requests)
FROM request_groups
GROUP BY ALL;

INSERT INTO session_hours
SELECT hour, model, endpoint_scope, source, session_id, workload, is_subagent, service_tier, speed,
       inference_geo, prompt_band, sum(requests), sum(input_tokens), sum(cache_write_5m),
       sum(cache_write_1h), sum(cache_read), sum(output_tokens), sum(web_search_requests)
FROM request_groups
GROUP BY ALL;

INSERT INTO file_requests
SELECT source_file, source, count(*), min(ts), max(ts)
FROM requests
GROUP BY ALL;
