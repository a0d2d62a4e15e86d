"""Mask credentials in any message the tool prints or stores, and cap its length.

A malformed-line reason quotes the bad value, and an API error quotes the response body; either
can hold a key (a key pasted into a token field, a proxy echoing request headers).  `redact`
replaces what looks like one, wherever it sits in the text:

- Anthropic keys: `sk-ant-` and the key characters after it (api, admin and OAuth keys alike);
- `Bearer <token>` / `Basic <credentials>`;
- the value of an `x-api-key`, `api-key`, `authorization`, `anthropic-admin-key`,
  `x-goog-api-key` or `proxy-authorization` header or field (`name: value`, `name=value`,
  `"name": "value"`).

`scrub` also masks given secrets (the admin key actually in use) wherever they appear, and caps
the message at `MAX_CHARS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_CHARS = 200
MASK = "[redacted]"

_SECRETS = re.compile(
    r"(?P<sk>sk-ant-)[A-Za-z0-9_\-]*"
    r"|(?P<scheme>\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=\-]+"
    r"|(?P<field>\b(?:x-api-key|api[-_]key|anthropic-admin-key|x-goog-api-key"
    r"|proxy-authorization|authorization)[\"']?\s*[:=]\s*[\"']?)"
    r"(?!(?:Bearer|Basic)\s)[^\s\"',;}\]]+",
    re.IGNORECASE,
)


def _mask(match: re.Match[str]) -> str:
    kept = match.group("sk") or match.group("scheme") or match.group("field") or ""
    return kept + MASK


def cap(text: str, limit: int = MAX_CHARS) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact(text: str, limit: int | None = MAX_CHARS) -> str:
    """`text` with key-looking values masked, then capped (unless `limit` is None)."""
    masked = _SECRETS.sub(_mask, text)
    return masked if limit is None else cap(masked, limit)


def scrub(text: str, secrets: Iterable[str | None] = (), limit: int | None = MAX_CHARS) -> str:
    """`redact`, after masking each given secret (4+ characters) wherever it appears."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return redact(text, limit)
