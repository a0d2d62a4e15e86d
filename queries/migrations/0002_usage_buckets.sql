-- 0002: aggregates Anthropic reports - the Usage & Cost API (`switchcost fetch`) and Console CSV
-- exports (`switchcost ingest`).  They are time buckets x groups, not requests: they live here,
-- never in `requests`, and are never summed with it.
-- Grain: one row per (source, grouping, bucket, group).  `grouping` names the group_by set the
-- rows were fetched with: the API allows at most 5 dimensions per report, so the same traffic
-- is fetched under more than one grouping, and each grouping alone is a complete partition of
-- it.  Reports therefore read ONE grouping at a time.
-- `origin` is 'api' for fetched rows, else the CSV file's path (a re-read file replaces its rows).

CREATE TABLE usage_buckets (
    source                VARCHAR NOT NULL,      -- usage-api | usage-report (legacy) | console-csv
    grouping              VARCHAR NOT NULL,      -- e.g. model,workspace_id,api_key_id,...
    origin                VARCHAR NOT NULL,
    bucket_start          TIMESTAMPTZ NOT NULL,
    bucket_end            TIMESTAMPTZ NOT NULL,
    group_key             VARCHAR NOT NULL,      -- canonical JSON of the whole group (dedup key)
    model                 VARCHAR,               -- as reported, lower-cased (normalised in SQL)
    workspace             VARCHAR,               -- workspace id (API) or name (Console CSV)
    api_key               VARCHAR,               -- api key id (API) or name (Console CSV)
    service_tier          VARCHAR,
    context_window        VARCHAR,
    speed                 VARCHAR,
    inference_geo         VARCHAR,
    product               VARCHAR,
    uncached_input_tokens BIGINT NOT NULL,
    cache_write_5m        BIGINT NOT NULL,
    cache_write_1h        BIGINT NOT NULL,
    cache_read            BIGINT NOT NULL,
    output_tokens         BIGINT NOT NULL,
    web_search_requests   BIGINT NOT NULL,
    requests              BIGINT,                -- analytics API only
    data_refreshed_at     TIMESTAMPTZ,
    loaded_at             TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, grouping, origin, bucket_start, bucket_end, group_key)
);

-- Amounts are exact: the API's fractional-cent strings / 100, the CSV's dollars as written.
CREATE TABLE cost_buckets (
    source            VARCHAR NOT NULL,          -- cost-api | cost-report (legacy) | console-csv
    grouping          VARCHAR NOT NULL,
    origin            VARCHAR NOT NULL,
    bucket_start      TIMESTAMPTZ NOT NULL,
    bucket_end        TIMESTAMPTZ NOT NULL,
    group_key         VARCHAR NOT NULL,
    model             VARCHAR,
    workspace         VARCHAR,
    api_key           VARCHAR,
    service_tier      VARCHAR,
    context_window    VARCHAR,
    speed             VARCHAR,
    inference_geo     VARCHAR,
    product           VARCHAR,
    cost_type         VARCHAR,                   -- tokens | web_search | code_execution | ...
    token_type        VARCHAR,
    description       VARCHAR,
    amount_usd        DECIMAL(38, 12) NOT NULL,  -- post-discount, pre-credit
    list_amount_usd   DECIMAL(38, 12),
    currency          VARCHAR NOT NULL,
    requests          BIGINT,
    data_refreshed_at TIMESTAMPTZ,
    loaded_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, grouping, origin, bucket_start, bucket_end, group_key)
);

-- What `switchcost fetch` has fetched: one row per report, grouping and daily bucket.  A bucket
-- is final once the API's data was refreshed a full day after the bucket ended; final buckets
-- are not fetched again.
CREATE TABLE bucket_fetches (
    source            VARCHAR NOT NULL,
    grouping          VARCHAR NOT NULL,
    bucket_start      TIMESTAMPTZ NOT NULL,
    bucket_end        TIMESTAMPTZ NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    data_refreshed_at TIMESTAMPTZ,
    final             BOOLEAN NOT NULL,
    PRIMARY KEY (source, grouping, bucket_start)
);
