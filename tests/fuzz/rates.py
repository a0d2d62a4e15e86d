"""Independent pricing: the published per-MTok rates read from queries/prices.toml with
tomllib (Decimal), multiplied out here; switchcost's own pricing code is never called."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

PRICE_FILE = Path(__file__).resolve().parents[2] / "queries" / "prices.toml"
MTOK = Decimal(1_000_000)
# The two models the corpus uses, by the dated id logs carry.  Neither has a `us_geo` or
# long-context row that a corpus request could reach (prompts stay far below 200k tokens).
HAIKU = "claude-haiku-4-5-20251001"
SONNET = "claude-sonnet-4-5-20250929"
_BASE_ID = {HAIKU: "claude-haiku-4-5", SONNET: "claude-sonnet-4-5"}


@dataclass(frozen=True)
class Usage:
    """The billed token counts of one valid request, and its tier factor (batch: 0.5)."""

    model: str
    inp: int = 0
    w5: int = 0
    w1: int = 0
    read: int = 0
    out: int = 0
    batch: bool = False

    @property
    def total(self) -> int:
        return self.inp + self.w5 + self.w1 + self.read + self.out


@cache
def rates(model: str) -> dict[str, Decimal]:
    """The model's one price row (USD per MTok), read as Decimals."""
    data = tomllib.loads(PRICE_FILE.read_text(encoding="utf-8"), parse_float=Decimal)
    (entry,) = [m for m in data["models"] if m["id"] == _BASE_ID[model]]
    assert model in entry["aliases"]
    (row,) = entry["prices"]  # one row: no date inside the corpus picks another
    return {
        k: Decimal(str(v))
        for k, v in row.items()
        if isinstance(v, Decimal | int) and not isinstance(v, bool)
    }


def dollars(u: Usage) -> Decimal:
    """(inp x input + w5 x 5m write + w1 x 1h write + read x cache read + out x output) / 1e6,
    times the batch multiplier for a batch-tier request."""
    r = rates(u.model)
    micro = (
        u.inp * r["input"]
        + u.w5 * r["cache_write_5m"]
        + u.w1 * r["cache_write_1h"]
        + u.read * r["cache_read"]
        + u.out * r["output"]
    )
    if u.batch:
        micro *= r["batch_multiplier"]
    return micro / MTOK
