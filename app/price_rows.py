"""The rows `switchcost prices` shows: one per model and effective date."""

from __future__ import annotations

from typing import Any

from switchcost.queries.price_file import RATE_FIELDS, PriceBook


def price_rows(book: PriceBook, model: str | None = None) -> list[dict[str, Any]]:
    """Flat rows for `switchcost prices`: one per model and effective date."""
    wanted = None
    if model is not None:
        name = model.lower()
        wanted = {m.id for m in book.models.values() if name == m.id or name in m.aliases}
    out: list[dict[str, Any]] = []
    for m in sorted(book.models.values(), key=lambda m: (m.family, m.id)):
        if wanted is not None and m.id not in wanted:
            continue
        base = {"model": m.id, "aliases": " ".join(m.aliases)}
        if not m.prices:
            out.append(
                {
                    **base,
                    "effective_from": None,
                    **dict.fromkeys(RATE_FIELDS),
                    "long_context_threshold": None,
                    "batch_multiplier": None,
                    "source": m.source or "no published price: requests are unpriced",
                }
            )
        for p in m.prices:
            out.append(
                {
                    **base,
                    "effective_from": p.effective_from,
                    **p.rates,
                    "long_context_threshold": p.long_context_threshold,
                    "batch_multiplier": p.multipliers["batch_multiplier"],
                    "source": p.source,
                }
            )
    return out
