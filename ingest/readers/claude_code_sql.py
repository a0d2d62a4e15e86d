"""The SQL of the Claude Code reader: one aggregate per batch of lines, then the records.

Field rules (the same as every reader's): a response is a line whose `message` carries `usage`
(or a line typed "assistant"); its model must be a non-empty string, its token counts
non-negative JSON integers (not "12", 1.5 or true), its timestamp present.  Anything else on a
response line makes the line malformed, named with its reason, and not billed.
"""

from __future__ import annotations

import json

# Count checks on JSON values (the usage fields are read as JSON, not cast): a count is a
# non-negative integer within a BIGINT; a missing or null optional count is 0.
MACROS = (
    "CREATE MACRO sc_count_ok(x, required) AS CASE WHEN x IS NULL THEN NOT required"
    " ELSE json_type(x) = 'UBIGINT' AND try_cast(x AS UBIGINT) <= 9223372036854775807 END",
    "CREATE MACRO sc_count(x) AS coalesce(try_cast(x AS BIGINT), 0)",
    # the years 1 to 9999, as Python's datetime (and so every other reader) holds them
    "CREATE MACRO sc_in_calendar(t) AS t >= TIMESTAMPTZ '0001-01-01 00:00:00+00'"
    " AND t < TIMESTAMPTZ '10000-01-01 00:00:00+00'",
    "CREATE MACRO sc_count_fault(x, name, required) AS CASE"
    " WHEN x IS NULL THEN CASE WHEN required THEN 'usage.' || name || ' is missing' END"
    " WHEN json_type(x) = 'UBIGINT' AND try_cast(x AS UBIGINT) <= 9223372036854775807 THEN NULL"
    " WHEN json_type(x) = 'BIGINT' THEN 'usage.' || name || ' is negative: ' || x::VARCHAR"
    " WHEN json_type(x) = 'UBIGINT' OR (json_type(x) = 'DOUBLE'"
    " AND try_cast(x AS DOUBLE) >= 9.2e18) THEN 'usage.' || name || ' is too large'"
    " ELSE 'usage.' || name || ' is not a whole number: ' || left(x::VARCHAR, 40) END",
)

COLUMNS = {
    "type": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "sessionId": "VARCHAR",
    "isSidechain": "BOOLEAN",
    "agentId": "VARCHAR",
    "requestId": "VARCHAR",
    "isApiErrorMessage": "BOOLEAN",
    "message": {
        "id": "VARCHAR",
        "role": "VARCHAR",
        # JSON, not VARCHAR or BIGINT: a cast would take 12 for "12", 2 for 1.5 and 1 for true,
        # and a number for a model name; the field rules below look at the JSON type first.
        "model": "JSON",
        "usage": {
            "input_tokens": "JSON",
            "output_tokens": "JSON",
            "cache_creation_input_tokens": "JSON",
            "cache_read_input_tokens": "JSON",
            "cache_creation": {
                "ephemeral_5m_input_tokens": "JSON",
                "ephemeral_1h_input_tokens": "JSON",
            },
            "service_tier": "VARCHAR",
            "speed": "VARCHAR",
            "inference_geo": "VARCHAR",
            "server_tool_use": {"web_search_requests": "JSON"},
        },
    },
}
STRUCTURE = json.dumps(COLUMNS)

# Lines are grouped by (file, dedup key): a billed request keeps the values of its fullest
# line; a bad line, or a response without a message id, is a group of its own (`solo` = its
# line); every other line falls into its file's NULL-key group.  Line 1 always reaches the
# aggregate, so each file reports how many pieces its text split into (lines + 1).
# A file that is not valid UTF-8 yields no rows at all; Python finds those lines.
AGGREGATE = """
INSERT INTO agg_{slot}
WITH split AS (
    SELECT file_index::BIGINT AS pi, first_line,
        string_split(try(decode(content)), chr(10)) AS ls
    FROM {source}
),
pieces AS (
    SELECT pi, first_line, pieces, unnest(ls) AS line, generate_subscripts(ls, 1) AS n
    FROM (SELECT pi, first_line, ls, len(ls) AS pieces FROM split)
),
located AS ({locate}),
lines AS (
    -- a byte-order mark before a file's first line is not part of the record
    SELECT fi, pieces, n,
        CASE WHEN n = 1 AND starts_with(line, chr(65279)) THEN substr(line, 2) ELSE line END
            AS line
    FROM located
),
marked AS (
    SELECT fi, pieces, n, line,
        contains(line, '"assistant"') OR contains(line, '"usage"') AS maybe,
        contains(line, '"type":"user"') OR contains(line, '"type": "user"') AS userish,
        -- a CASE, not AND: only a CASE spares the lines that pass the cheap test the parse
        CASE WHEN starts_with(line, '{{') AND ends_with(line, '}}') THEN false
             ELSE trim(line, ' ' || chr(9) || chr(13)) <> ''
                  AND NOT coalesce(try(json_type(line)) = 'OBJECT', false)
             END AS misshapen
    FROM lines
),
parsed AS (
    SELECT fi, pieces, n, misshapen, maybe,
        CASE WHEN maybe AND NOT misshapen THEN try(from_json(line, $structure)) END AS j,
        -- the prompting lines (a user message, a tool result): only their time is needed
        CASE WHEN userish AND NOT maybe
             THEN try_cast(try(json_extract_string(line, '$.timestamp')) AS TIMESTAMPTZ) END
            AS uts
    FROM marked
    WHERE maybe OR misshapen OR userish OR n = 1
),
-- read twice below (responses and prompting lines): computed once
k AS MATERIALIZED (
    SELECT fi, pieces, n, j,
        coalesce(uts, CASE WHEN j.type = 'user' THEN j.timestamp END) AS uts,
        CASE
            WHEN misshapen OR (maybe AND j IS NULL) THEN 'bad'
            WHEN NOT maybe THEN NULL
            -- a response: the usage of a message, whatever the line's top-level type (Claude
            -- Code 1.0 wrote some without "type":"assistant"), or any assistant line
            WHEN NOT (j.message.usage IS NOT NULL OR j.type = 'assistant'
                      OR (j.type IS NULL AND j.message.role = 'assistant')) THEN NULL
            WHEN j.type IS NOT NULL AND j.type NOT IN ('assistant', 'message')
                 AND j.message.role IS DISTINCT FROM 'assistant' THEN NULL
            WHEN coalesce(j.isApiErrorMessage, false) THEN 'api_error'
            WHEN json_type(j.message.model) = 'VARCHAR'
                 AND j.message.model->>'$' = '<synthetic>' THEN NULL
            WHEN j.message.usage IS NULL THEN 'bad'
            WHEN NOT coalesce(sc_in_calendar(j.timestamp), false) THEN 'bad'
            WHEN NOT coalesce(json_type(j.message.model) = 'VARCHAR'
                              AND trim(j.message.model->>'$') <> '', false) THEN 'bad'
            WHEN NOT (sc_count_ok(j.message.usage.input_tokens, true)
                      AND sc_count_ok(j.message.usage.output_tokens, true)
                      AND sc_count_ok(j.message.usage.cache_creation_input_tokens, false)
                      AND sc_count_ok(j.message.usage.cache_read_input_tokens, false)
                      AND sc_count_ok(j.message.usage.cache_creation.ephemeral_5m_input_tokens,
                                      false)
                      AND sc_count_ok(j.message.usage.cache_creation.ephemeral_1h_input_tokens,
                                      false)
                      AND sc_count_ok(j.message.usage.server_tool_use.web_search_requests,
                                      false)) THEN 'bad'
            ELSE 'req'
        END AS kind
    FROM parsed
),
keyed AS (
    SELECT
        fi, pieces, n, kind, j.timestamp AS ts, j.sessionId AS session,
        j.isSidechain AS sidechain, j.agentId AS agent,
        CASE WHEN kind = 'req' THEN j.message.model->>'$' END AS model,
        CASE WHEN kind = 'req' THEN j.message.id END AS message_id,
        CASE WHEN kind = 'req' THEN j.requestId END AS request_id,
        CASE WHEN kind IN ('bad', 'api_error') OR (kind = 'req' AND j.message.id IS NULL)
             THEN n END AS solo,
        CASE WHEN kind = 'req' THEN sc_count(j.message.usage.input_tokens) END AS input_tokens,
        CASE WHEN kind = 'req' THEN sc_count(j.message.usage.cache_creation_input_tokens) END
            AS lump,
        j.message.usage.cache_creation IS NOT NULL AS split,
        CASE WHEN kind = 'req'
             THEN sc_count(j.message.usage.cache_creation.ephemeral_5m_input_tokens) END AS w5,
        CASE WHEN kind = 'req'
             THEN sc_count(j.message.usage.cache_creation.ephemeral_1h_input_tokens) END AS w1,
        CASE WHEN kind = 'req' THEN sc_count(j.message.usage.cache_read_input_tokens) END
            AS cache_read,
        CASE WHEN kind = 'req' THEN sc_count(j.message.usage.output_tokens) END AS output_tokens,
        CASE WHEN kind = 'req'
             THEN sc_count(j.message.usage.server_tool_use.web_search_requests) END AS web,
        j.message.usage.service_tier AS service_tier, j.message.usage.speed AS speed,
        j.message.usage.inference_geo AS inference_geo,
        CASE WHEN kind = 'bad' AND j IS NOT NULL THEN CASE
                WHEN j.message.usage IS NULL THEN 'assistant line without message.usage'
                WHEN j.timestamp IS NULL THEN 'assistant line without a timestamp'
                WHEN NOT sc_in_calendar(j.timestamp)
                    THEN 'timestamp ' || j.timestamp::VARCHAR || ' is not a time a calendar holds'
                WHEN NOT coalesce(json_type(j.message.model) = 'VARCHAR'
                                  AND trim(j.message.model->>'$') <> '', false)
                    THEN 'message.model is missing, null or not a string'
                ELSE coalesce(
                    sc_count_fault(j.message.usage.input_tokens, 'input_tokens', true),
                    sc_count_fault(j.message.usage.output_tokens, 'output_tokens', true),
                    sc_count_fault(j.message.usage.cache_creation_input_tokens,
                                   'cache_creation_input_tokens', false),
                    sc_count_fault(j.message.usage.cache_read_input_tokens,
                                   'cache_read_input_tokens', false),
                    sc_count_fault(j.message.usage.cache_creation.ephemeral_5m_input_tokens,
                                   'cache_creation.ephemeral_5m_input_tokens', false),
                    sc_count_fault(j.message.usage.cache_creation.ephemeral_1h_input_tokens,
                                   'cache_creation.ephemeral_1h_input_tokens', false),
                    sc_count_fault(j.message.usage.server_tool_use.web_search_requests,
                                   'server_tool_use.web_search_requests', false))
                END
        END AS reason,
        -- the fullest line wins, ties go to the earlier line (as in the loader, and as
        -- ccusage keeps the first copy); the low 32 bits are 4294967295 - the line
        CASE WHEN kind = 'req' THEN
            (sc_count(j.message.usage.input_tokens)::HUGEINT
             + sc_count(j.message.usage.cache_creation_input_tokens)
             + sc_count(j.message.usage.cache_read_input_tokens)
             + sc_count(j.message.usage.output_tokens)) * 4294967296 + (4294967295 - n)
        END AS weight
    FROM k
),
grouped AS (
    SELECT
        fi, message_id, request_id, solo,
        max(pieces) AS pieces, any_value(kind) AS kind, any_value(reason) AS reason,
        max(weight) AS weight,
        arg_max(ts, weight) AS ts, arg_max(output_tokens, weight) AS output_tokens,
        -- the rest is the same on every line of one response (Claude Code repeats the usage)
        any_value(model) AS model, max(input_tokens) AS input_tokens,
        max(lump) AS lump, bool_or(split) AS split, max(w5) AS w5, max(w1) AS w1,
        max(cache_read) AS cache_read, max(web) AS web, any_value(service_tier) AS service_tier,
        any_value(speed) AS speed, any_value(inference_geo) AS inference_geo,
        any_value(session) AS session, bool_or(sidechain) AS sidechain,
        any_value(agent) AS agent,
        -- timing: the response's content-block lines are written as each block arrives
        min(n) AS first_n, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS nlines
    FROM keyed
    GROUP BY fi, message_id, request_id, solo
)
SELECT * FROM grouped
UNION ALL BY NAME
-- the prompting lines, for the timing (matched to responses once every batch is in)
SELECT fi, n AS solo, 'prompt' AS kind, uts AS ts FROM k WHERE uts IS NOT NULL
"""

AGG_COLUMNS = """
fi BIGINT, message_id VARCHAR, request_id VARCHAR, solo BIGINT, pieces BIGINT, kind VARCHAR,
reason VARCHAR, weight HUGEINT, ts TIMESTAMPTZ, output_tokens BIGINT, model VARCHAR,
input_tokens BIGINT, lump BIGINT, split BOOLEAN, w5 BIGINT, w1 BIGINT, cache_read BIGINT,
web BIGINT, service_tier VARCHAR, speed VARCHAR, inference_geo VARCHAR, session VARCHAR,
sidechain BOOLEAN, agent VARCHAR, first_n BIGINT, first_ts TIMESTAMPTZ, last_ts TIMESTAMPTZ,
nlines BIGINT
"""

# Whole files, read by DuckDB itself: the file is the task, its piece count gives the lines
# consumed.
WHOLE_SOURCE = "(SELECT file_index, 1 AS first_line, content FROM read_blob($paths))"
WHOLE = "SELECT $fis[pi + 1] AS fi, pieces, line, n FROM pieces"
# Byte ranges, handed over in memory (never copied to a file: they hold prompt text): one row
# per piece of a task, with the task's index and the number of its first line (Python counted
# them), through a table: a blob bound straight into the query is folded as a constant at
# planning, which made the query three times slower and larger.
RANGES_SOURCE = "batch_{slot}"
RANGES = "SELECT pi AS fi, NULL::BIGINT AS pieces, line, first_line + n - 1 AS n FROM pieces"
RANGES_TABLE = (
    "CREATE OR REPLACE TEMP TABLE batch_{slot} AS SELECT unnest($fis) AS file_index,"
    " unnest($firsts)::BIGINT AS first_line, unnest($data)::BLOB AS content"
)

# One row per (task, key) across every batch (a response can straddle two), each with the
# time of its prompting line: the nearest line before its first that is a prompt (a user
# message or tool result) and not another response's.
WINNERS = """
CREATE TEMP TABLE winners AS
WITH g AS (
    SELECT
        fi, message_id, request_id, solo,
        any_value(kind) AS kind, any_value(reason) AS reason,
        coalesce(4294967295 - max(weight) % 4294967296, any_value(solo))::BIGINT AS w_line,
        arg_max(ts, weight) AS ts, arg_max(output_tokens, weight) AS output_tokens,
        any_value(model) AS model, max(input_tokens) AS input_tokens,
        max(lump) AS lump, bool_or(split) AS split, max(w5) AS w5, max(w1) AS w1,
        max(cache_read) AS cache_read, max(web) AS web, any_value(service_tier) AS service_tier,
        any_value(speed) AS speed, any_value(inference_geo) AS inference_geo,
        any_value(session) AS session, bool_or(sidechain) AS sidechain,
        any_value(agent) AS agent,
        min(first_n) AS first_n, min(first_ts) AS first_ts, max(last_ts) AS last_ts,
        sum(nlines) AS nlines
    FROM agg
    WHERE kind IS NOT NULL AND kind <> 'prompt'
    GROUP BY fi, message_id, request_id, solo
),
marks AS (
    SELECT fi, solo AS n, ts AS prompt_ts FROM agg WHERE kind = 'prompt'
    UNION ALL
    SELECT fi, first_n, NULL FROM g WHERE kind = 'req'
)
SELECT g.*, m.prompt_ts, f.orig_path, f.project, f.session_id, f.agent_from_path,
       f.start_line + g.w_line AS line
FROM g
ASOF LEFT JOIN marks AS m ON g.fi = m.fi AND g.first_n > m.n
JOIN files AS f ON f.fi = g.fi
"""

RECORDS = """
SELECT
    CASE WHEN message_id IS NULL THEN 'cc-line:' || orig_path || ':' || line
         WHEN request_id IS NULL THEN 'cc:' || message_id
         ELSE 'cc:' || message_id || ':' || request_id END AS request_key,
    'claude-code' AS source,
    orig_path AS source_file,
    line AS source_line,
    ts,
    regexp_replace(lower(coalesce(model, 'unknown')), '\\[1m\\]$', '') AS model,
    'anthropic' AS platform,
    NULL::VARCHAR AS endpoint_scope,
    message_id, request_id, input_tokens,
    CASE WHEN split THEN w5 ELSE lump END AS cache_write_5m,
    CASE WHEN split THEN w1 ELSE 0 END AS cache_write_1h,
    cache_read, output_tokens,
    web AS web_search_requests,
    NOT split AND lump > 0 AS cache_split_unknown,
    service_tier, speed, inference_geo,
    project,
    coalesce(session_id, session) AS session_id,
    project AS workload,
    coalesce(sidechain, false) OR agent_from_path IS NOT NULL AS is_subagent,
    coalesce(agent, agent_from_path) AS agent_id,
    NULL::VARCHAR AS tags,
    CASE WHEN timed THEN epoch_ms(last_ts) - epoch_ms(prompt_ts) END::DOUBLE AS latency_ms,
    CASE WHEN timed THEN epoch_ms(first_ts) - epoch_ms(prompt_ts) END::DOUBLE AS ttft_ms
FROM (
    -- timing derived from the transcript's own timestamps (see module docstring): only when
    -- the prompting line came first and the response took less than an hour
    SELECT *, coalesce(first_ts >= prompt_ts AND last_ts > prompt_ts
                       AND last_ts - prompt_ts <= INTERVAL 1 HOUR, false) AS timed
    FROM winners
)
WHERE kind = 'req'
"""

BAD = "SELECT orig_path, line, reason FROM winners WHERE kind = 'bad' ORDER BY orig_path, line"

# Lines consumed per file: its text split into one more piece than it has line ends.
LINES = (
    "SELECT f.orig_path, max(a.pieces) - 1 FROM agg AS a JOIN files AS f USING (fi)"
    " WHERE a.pieces IS NOT NULL GROUP BY 1"
)
