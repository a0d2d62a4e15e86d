-- 0005: replay evidence.  A replay re-sends a seeded sample of captured requests to a target
-- model; these tables hold what it did per sample (token counts, cost, timing) and how the
-- graders judged it.  Ids and numbers only: request and answer text stay in the capture store.

CREATE TABLE replay_runs (
    run_id         VARCHAR PRIMARY KEY,   -- hash of (target, workloads, sample, seed, mode, grader)
    started_at     TIMESTAMPTZ NOT NULL,
    target         VARCHAR NOT NULL,
    mode           VARCHAR NOT NULL,      -- batch | live
    grader         VARCHAR NOT NULL,      -- as asked: a name, command:..., or default
    seed           BIGINT NOT NULL,
    sample_size    INTEGER NOT NULL,      -- per workload
    max_usd        DECIMAL(38, 12) NOT NULL,
    estimate_usd   DECIMAL(38, 12),
    batch_id       VARCHAR,
    status         VARCHAR NOT NULL       -- estimated | running | submitted | stopped | done
);

CREATE TABLE replay_samples (
    run_id                 VARCHAR NOT NULL,
    request_key            VARCHAR NOT NULL,
    workload               VARCHAR NOT NULL,
    stratum                VARCHAR NOT NULL,   -- prompt-size band the sample was drawn from
    original_model         VARCHAR NOT NULL,
    original_input_tokens  BIGINT NOT NULL,    -- input + cache writes + cache reads
    original_output_tokens BIGINT NOT NULL,
    counted_input_tokens   BIGINT,             -- count_tokens on the target
    status                 VARCHAR NOT NULL,   -- pending | answered | failed
    target_input_tokens    BIGINT,
    target_output_tokens   BIGINT,
    cost_usd               DECIMAL(38, 12),    -- what the replay call cost (from its usage)
    latency_ms             DOUBLE,
    ttft_ms                DOUBLE,
    dropped_params         VARCHAR,            -- create() arguments the target refused
    error                  VARCHAR,
    PRIMARY KEY (run_id, request_key)
);

CREATE TABLE replay_verdicts (
    run_id      VARCHAR NOT NULL,
    request_key VARCHAR NOT NULL,
    grader      VARCHAR NOT NULL,
    passed      BOOLEAN NOT NULL,
    detail      VARCHAR,                -- a grader's summary (never text from the answers)
    cost_usd    DECIMAL(38, 12) NOT NULL DEFAULT 0,   -- the judge's calls
    graded_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, request_key, grader)
);
