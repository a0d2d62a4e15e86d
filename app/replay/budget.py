"""What a replay costs: the target's (and judge's) list rates, the estimate before anything is
sent, and the cap while it runs.

Estimate per sample: the target input counted exactly (count_tokens) at the input rate, plus
the original answer's output tokens at the target's output rate; × the batch multiplier in
batch mode.  A judge grades each sample twice (both orders); each judge call is estimated at
the counted prompt + both answers (2 × the original's output) + 400 tokens of instructions in,
300 tokens out, at the judge model's rates.  Rates: the latest price row of the model in the
price book (long-context tiers are not applied to the estimate).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from switchcost.queries.errors import UserError

MTOK = Decimal(1_000_000)
JUDGE_PROMPT_TOKENS = 400
JUDGE_OUTPUT_TOKENS = 300


class CapReached(Exception):
    """The next call would take the run's spend past `--max-usd`."""


@dataclass(frozen=True)
class Rates:
    model: str
    input: Decimal
    output: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    cache_read: Decimal
    batch_multiplier: Decimal

    def cost(self, usage: dict[str, Any], batch: bool = False) -> Decimal:
        """Dollars for one response's usage block."""
        split = usage.get("cache_creation") or {}
        w5 = int(split.get("ephemeral_5m_input_tokens") or 0)
        w1 = int(split.get("ephemeral_1h_input_tokens") or 0)
        if not split:
            w5 = int(usage.get("cache_creation_input_tokens") or 0)
        total = (
            int(usage.get("input_tokens") or 0) * self.input
            + int(usage.get("output_tokens") or 0) * self.output
            + w5 * self.cache_write_5m
            + w1 * self.cache_write_1h
            + int(usage.get("cache_read_input_tokens") or 0) * self.cache_read
        ) / MTOK
        return total * self.batch_multiplier if batch else total

    def estimate(self, input_tokens: int, output_tokens: int, batch: bool = False) -> Decimal:
        return self.cost({"input_tokens": input_tokens, "output_tokens": output_tokens}, batch)


def rates(model: str, prices: Path | None = None) -> Rates:
    """The model's current list rates (its latest price row); unknown or unpriced is an error."""
    from switchcost.queries.price_file import load_price_book

    book = load_price_book(prices)
    name = model.lower()
    found = [m for m in book.models.values() if name == m.id or name in m.aliases]
    if not found:
        raise UserError(f"unknown model {model!r}: see `switchcost prices`")
    m = found[0]
    if not m.prices:
        raise UserError(f"model {model!r} has no price: add one with --prices FILE")
    row = max(m.prices, key=lambda p: p.effective_from)
    r = row.rates
    return Rates(
        model=m.id,
        input=r["input"],
        output=r["output"],
        cache_write_5m=r["cache_write_5m"],
        cache_write_1h=r["cache_write_1h"],
        cache_read=r["cache_read"],
        batch_multiplier=row.multipliers.get("batch_multiplier") or Decimal(1),
    )


def judge_estimate(judge: Rates, counted_input: int, original_output: int) -> Decimal:
    """Both orders of one judged sample."""
    per_call = judge.estimate(
        counted_input + 2 * original_output + JUDGE_PROMPT_TOKENS, JUDGE_OUTPUT_TOKENS
    )
    return 2 * per_call


class Budget:
    """Spend summed from real usage against the cap; `check` before each paid call."""

    def __init__(self, cap: Decimal, spent: Decimal = Decimal(0)) -> None:
        self.cap = cap
        self.spent = spent

    def check(self, next_cost: Decimal) -> None:
        if self.spent + next_cost > self.cap:
            raise CapReached(
                f"stopped at the cap: ${self.spent:.4f} spent of --max-usd ${self.cap}, and the "
                f"next call is estimated at ${next_cost:.4f}"
            )

    def add(self, cost: Decimal) -> None:
        self.spent += cost
