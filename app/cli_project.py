"""`switchcost project`: what each workload would cost, and how fast it would be, on another model.

Argument parsing only; the modelling lives in queries.projection so the dashboard shows the same
numbers.  stdout carries the data, the table format adds the window and key assumptions below.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from switchcost.app.cli_options import (
    db_option,
    domain_errors,
    format_option,
    prices_option,
    since_option,
    tz_option,
    until_option,
)
from switchcost.queries.errors import UserError

TABLE_COLUMNS = (
    "workload",
    "target",
    "task_class",
    "recommendation",
    "requests",
    "moved_requests",
    "current_cost_usd",
    "projected_cost_usd",
    "savings_usd",
    "savings_pct",
    "monthly_savings_usd",
    "ineligible_requests",
    "break_even_escalation",
    "current_p50_ms",
    "projected_p50_ms",
)
WIDE_COLUMNS = (
    *TABLE_COLUMNS,
    "current_p95_ms",
    "projected_p95_ms",
    "latency_source",
)
# The default table: what decides a move, within 120 columns (`--wide` shows WIDE_COLUMNS).
NARROW_COLUMNS = (
    "workload",
    "recommendation",
    "moved_requests",
    "current_cost_usd",
    "savings_usd",
    "savings_pct",
    "monthly_savings_usd",
    "break_even_escalation",
    "current_p50_ms",
    "projected_p50_ms",
)
HEADERS = {
    "workload": "workload",
    "recommendation": "recommendation",
    "task_class": "task class",
    "moved_requests": "moved",
    "current_cost_usd": "current\ncost",
    "projected_cost_usd": "projected\ncost",
    "savings_usd": "savings",
    "savings_pct": "saved",
    "monthly_savings_usd": "savings\n/ month",
    "ineligible_requests": "cannot\nmove",
    "break_even_escalation": "break-even\nescalation",
    "current_p50_ms": "p50 ms\nnow",
    "projected_p50_ms": "p50 ms\nmoved",
    "current_p95_ms": "p95 ms\nnow",
    "projected_p95_ms": "p95 ms\nmoved",
    "latency_source": "latency from",
}
TEXT_COLUMNS = ("workload", "target", "task_class", "recommendation", "latency_source")
BUILTIN = ("all", "recommended", "subagents")


def register(app: click.Group) -> None:
    """Add `project` to the CLI."""

    @app.command()
    @db_option
    @click.option(
        "--to",
        "targets",
        multiple=True,
        help="Target model id or alias; repeat for a side-by-side matrix.",
    )
    @click.option(
        "--scenario",
        default="recommended",
        show_default=True,
        help="all, recommended, subagents, or a TOML file of [[scenarios]].",
    )
    @since_option
    @until_option
    @tz_option
    @format_option
    @prices_option
    @click.option(
        "--rules",
        type=click.Path(path_type=Path),
        default=None,
        help="Your task-class rules / speed defaults (default: $SWITCHCOST_PROJECTION or "
        "~/.config/switchcost/projection.toml).",
    )
    @click.option(
        "--measured",
        is_flag=True,
        help="Use what `switchcost replay` measured (pass rate, output ratio, tokenizer "
        "factor, latency) with 95% intervals, where a workload has replay data.",
    )
    @click.option(
        "--wide", is_flag=True, help="Table with every column (the default fits 120 columns)."
    )
    @click.option(
        "--exact",
        is_flag=True,
        help="Exact latency percentiles and target speeds (slower on large logs); by default "
        "they come from log buckets, within 1%.  Costs are always exact.",
    )
    @click.option(
        "--batchable",
        multiple=True,
        metavar="WORKLOAD",
        help="A workload whose requests need no immediate answer: priced at the Batch API's "
        "half price too (repeat; workloads with batch traffic in the logs are included).",
    )
    @domain_errors
    def project(
        db: Path | None,
        targets: tuple[str, ...],
        scenario: str,
        since: dt.date | None,
        until: dt.date | None,
        tz: str,
        fmt: str,
        prices: Path | None,
        rules: Path | None,
        measured: bool,
        wide: bool,
        exact: bool,
        batchable: tuple[str, ...],
    ) -> None:
        """Savings, run-rate, eligibility, latency and advice per workload on a cheaper model."""
        run_project(
            db,
            targets,
            scenario,
            since,
            until,
            tz,
            fmt,
            prices,
            rules,
            measured=measured,
            wide=wide,
            exact=exact,
            batchable=batchable,
        )


def run_project(
    db: Path | None,
    targets: tuple[str, ...],
    scenario: str,
    since: dt.date | None,
    until: dt.date | None,
    tz: str,
    fmt: str,
    prices: Path | None,
    rules: Path | None,
    *,
    measured: bool = False,
    wide: bool = False,
    exact: bool = False,
    batchable: tuple[str, ...] = (),
) -> None:
    from dataclasses import replace
    from functools import partial

    from switchcost.app.commands_data import check_tz
    from switchcost.queries import db as qdb
    from switchcost.queries import projection
    from switchcost.queries.filters import Filters
    from switchcost.queries.task_class import load_defaults

    check_tz(tz)
    if scenario in BUILTIN:
        scenarios = [projection.builtin_scenario(scenario, targets)]  # type: ignore[arg-type]
    else:
        path = Path(scenario)
        if not path.exists():
            raise UserError(
                f"--scenario {scenario!r}: not one of {', '.join(BUILTIN)} and no such file"
            )
        scenarios = projection.load_scenario_file(path)
        if targets:
            scenarios = [replace(s, targets=targets) for s in scenarios]
    defaults = load_defaults(rules)
    filters = Filters(since=since, until=until, tz=tz)
    with qdb.connect(db, read_only=True, prices=prices) as conn:
        if measured:
            from switchcost.queries.measured.projection import project_measured

            run_one: Any = project_measured
        else:
            run_one = partial(projection.project, exact=exact)
        results = [(s.name, run_one(conn, s, filters, defaults=defaults)) for s in scenarios]
        from switchcost.queries import levers  # the other levers beside the switch

        found = [
            levers.for_projection(conn, s, filters, p, batchable, defaults)
            for s, (_, p) in zip(scenarios, results, strict=True)
        ]
    payloads = [
        levers.add_to_payload(_payload(p), lv) for (_, p), lv in zip(results, found, strict=True)
    ]
    if not exact and not measured:
        from switchcost.queries.sketch import CLI_NOTE

        for p in payloads:
            p["assumptions"] = {**p["assumptions"], "latency_percentiles": CLI_NOTE}
    if fmt == "json":
        from switchcost.app.output import to_json

        body: Any = payloads[0] if len(payloads) == 1 else {"scenarios": payloads}
        sys.stdout.write(to_json(body) + "\n")
    elif fmt == "csv":
        from switchcost.app.output import csv_text

        columns = ["scenario", *projection.ROW_COLUMNS, *levers.LEVER_COLUMNS]
        rows = [
            {"scenario": p["assumptions"]["scenario"], **r}
            for p in payloads
            for r in [*p["rows"], *p["totals"]["by_target"].values()]
        ]
        sys.stdout.write(csv_text(rows, columns))
    else:
        from switchcost.app.cli_levers import levers_table

        for p in payloads:
            _table(p, wide)
            levers_table(p)


def _payload(p: Any) -> dict[str, Any]:
    return {
        "rows": p.rows if isinstance(p.rows, list) else p.rows.to_dicts(),
        "totals": p.totals,
        "assumptions": p.assumptions,
    }


def _table(payload: dict[str, Any], wide: bool = False) -> None:
    from rich.table import Table

    from switchcost.app.console import out_console
    from switchcost.app.output import table_cell

    a = payload["assumptions"]
    totals = payload["totals"]["by_target"]
    columns: tuple[str, ...] = WIDE_COLUMNS if wide else NARROW_COLUMNS
    if len(totals) > 1 and "target" not in columns:
        columns = (columns[0], "target", *columns[1:])
    target = "" if len(totals) != 1 else f" to {next(iter(totals))}"
    table = Table(
        title=f"scenario {a['scenario']}{target}: {a['scenario_rule']}",
        title_justify="left",
        show_footer=len(totals) == 1,
        box=None,
        header_style="bold",
        pad_edge=False,
    )
    only = next(iter(totals.values())) if len(totals) == 1 else {}
    for col in columns:
        table.add_column(
            HEADERS.get(col, col.removesuffix("_usd").replace("_", " ")),
            footer=table_cell(col, only.get(col)) if only and col in only else "",
            justify="left" if col in TEXT_COLUMNS else "right",
            no_wrap=col not in ("recommendation", "latency_source", "task_class"),
            max_width=22 if col == "recommendation" and not wide else None,
        )
    for row in payload["rows"]:
        table.add_row(*[table_cell(c, row.get(c)) for c in columns])
    out_console.print(table)
    if len(totals) > 1:
        for target, t in totals.items():
            out_console.print(
                f"TOTAL {target}: current ${table_cell('x_usd', t['current_cost_usd'])[1:]}, "
                f"projected ${table_cell('x_usd', t['projected_cost_usd'])[1:]}, "
                f"savings ${table_cell('x_usd', t['savings_usd'])[1:]}",
                highlight=False,
                markup=False,
            )
    lines = [
        f"window {a['window_first_day']} .. {a['window_last_day']} ({a['window_days']} days); "
        f"monthly = x {a['days_per_month']} / {a['window_days']} days",
        f"share moved {a['share_moved']}, escalation {a['escalation_rate']}, "
        f"output ratio {a['output_ratio_default']}, tokenizer factor {a['tokenizer_factor']} "
        f"({', '.join(f'{k} {v}' for k, v in dict(a['tokenizer_factors']).items())})",
        *(f"latency {t}: {how}" for t, how in a["latency_speed_by_target"].items()),
        *([f"measured: {a['measured_rule']}"] if "measured_rule" in a else []),
        *(
            [f"latency percentiles: {a['latency_percentiles']}"]
            if "latency_percentiles" in a
            else []
        ),
        "all assumptions: --format json",
    ]
    for line in lines:
        out_console.print(line, highlight=False, markup=False, style="dim")
