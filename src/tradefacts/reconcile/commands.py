"""``tradefacts claims | contradictions | stories | timeline | targets | reconcile``.

Picked up by ``tradefacts.cli`` (``register(app)``). The queries open the database
read-only; ``reconcile`` opens it for writing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from tradefacts.cli_options import (
    DbOption,
    IndicatorOption,
    PartnerOption,
    SinceOption,
    StatusOption,
    UntilOption,
)
from tradefacts.util import given, scaled

T = TypeVar("T")


class OutFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[OutFormat, typer.Option("--format", "-f")]
PartyOption = Annotated[
    str | None, typer.Option("--party", help="A party code (KAZ); either side.")
]


# --------------------------------------------------------------------------- formatting

_SCALES = ((1e12, "trn"), (1e9, "bn"), (1e6, "mln"), (1e3, "k"))
_SIGN = {"gt": ">", "lt": "<", "approx": "~", "eq": "", "range": ""}


def human(value: float | None, unit: str | None = None) -> str:
    """22000000000 -> ``22 bn``; 910800000 -> ``910.8 mln``; with the unit after."""
    if value is None:
        return "-"
    return scaled(value, _SCALES, unit)


def stated(value: float, bound: str | None, value_max: float | None, unit: str | None) -> str:
    if bound == "range" and value_max is not None:
        return f"{human(value)}..{human(value_max, unit)}"
    return _SIGN.get(bound or "eq", "") + human(value, unit)


def parties(indicator: str, a: str, b: str) -> str:
    from tradefacts.model import UNORDERED

    return f"{a}/{b}" if indicator in UNORDERED else f"{a}→{b}"


def pct(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:+.{digits}f}%" if digits else f"{x:+.0f}%"


def _date(d: Any) -> str:
    return d.isoformat() if isinstance(d, dt.date) else "-"


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] | None = None
) -> str:
    """An aligned text table."""
    right = right or set()
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in rows)
    return "\n".join(out) + "\n"


def _json(data: Any) -> str:
    def default(x: Any) -> Any:
        if isinstance(x, dt.date | dt.datetime):
            return x.isoformat()
        return str(x)

    return json.dumps(data, ensure_ascii=False, indent=1, default=default)


def _short(text: str, n: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- store access


def _read(db: Path, op: Callable[[Any], T]) -> T:
    from tradefacts.store import Store, StoreError

    try:
        with Store(db, read_only=True) as store:
            try:
                waiting = store.pending()
            except StoreError:
                waiting = 0
            if waiting:
                typer.echo(
                    f"note: {waiting} articles are not reconciled yet; run `tradefacts reconcile`",
                    err=True,
                )
            return op(store)
    except StoreError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None


# --------------------------------------------------------------------------- commands


def claims_command(
    party: PartyOption = None,
    partner: PartnerOption = None,
    indicator: IndicatorOption = None,
    status: StatusOption = None,
    period: Annotated[str | None, typer.Option("--period", help="One period (2024).")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    min_sources: Annotated[int | None, typer.Option("--min-sources", min=1)] = None,
    min_languages: Annotated[int | None, typer.Option("--min-languages", min=1)] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=0)] = None,
    fmt: FormatOption = OutFormat.table,
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """Claims: one figure with every source that states it (most sources first)."""
    filters = given(
        party=party,
        partner=partner,
        indicator=indicator,
        status=status,
        period=period,
        since=since,
        until=until,
        min_sources=min_sources,
        min_languages=min_languages,
        limit=limit,
    )
    rows = _read(db, lambda s: s.claims(**filters))
    if fmt is OutFormat.json:
        typer.echo(_json(rows))
        return
    if not rows:
        typer.echo("(no claims)")
        return
    cells = []
    for c in rows:
        cells.append(
            (
                c["indicator"],
                parties(c["indicator"], c["party_a"], c["party_b"]),
                c["period"] or "-",
                c["status"],
                stated(c["value"], c["bound"], c["value_max"], c["unit"]),
                str(c["n_sources"]),
                ",".join(c["languages"]),
                _date(c["first_seen"]),
                "yes" if c["disputed"] else "",
            )
        )
    typer.echo(
        table(
            ("indicator", "parties", "period", "status", "value", "sources", "languages",
             "first seen", "disputed"),
            cells,
            right={4, 5},
        ),
        nl=False,
    )  # fmt: skip
    typer.echo(f"({len(rows)} claims)")


def contradictions_command(
    party: PartyOption = None,
    partner: PartnerOption = None,
    indicator: IndicatorOption = None,
    status: StatusOption = None,
    fmt: FormatOption = OutFormat.table,
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """Incompatible figures for one indicator, parties, period and status, side by side."""
    filters = given(party=party, partner=partner, indicator=indicator, status=status)
    rows = _read(db, lambda s: s.contradictions(**filters))
    if fmt is OutFormat.json:
        typer.echo(_json(rows))
        return
    if not rows:
        typer.echo("(no contradictions)")
        return
    out = []
    for x in rows:
        out.append(
            f"{x['indicator']} {parties(x['indicator'], x['party_a'], x['party_b'])} "
            f"{x['period']} {x['status']}"
        )
        for side in ("a", "b"):
            out.append(
                f"  {stated(x[f'value_{side}'], x[f'bound_{side}'], x[f'value_max_{side}'], x['unit']):>16}"
                f"  {x[f'sources_{side}']} source(s)  {_date(x[f'published_{side}'])}  "
                f"{x[f'lang_{side}'] or '-'}  {x[f'url_{side}'] or x[f'article_{side}']}"
            )
            out.append(f"  {'':>16}  «{_short(x[f'evidence_{side}'])}»")
        out.append("")
    out.append(f"({len(rows)} contradictions)")
    typer.echo("\n".join(out))


def stories_command(
    min_articles: Annotated[int, typer.Option("--min-articles", min=1)] = 2,
    party: PartyOption = None,
    fmt: FormatOption = OutFormat.table,
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """Stories: the articles that report one event, across languages and outlets."""
    rows = _read(db, lambda s: s.stories(min_articles=min_articles, party=party))
    if fmt is OutFormat.json:
        typer.echo(_json(rows))
        return
    if not rows:
        typer.echo("(no stories of several articles)")
        return
    out = []
    for s in rows:
        span = _date(s["first_published"])
        if s["last_published"] != s["first_published"]:
            span += f"..{_date(s['last_published'])}"
        out.append(
            f"{s['story_id']}  {s['n_articles']} articles  {','.join(s['languages'])}  "
            f"{span}  {' '.join(s['parties'])}"
        )
        for m in s["members"]:
            via = f"{m['link_kind']} {m['link_score']:.2f}" if m["link_kind"] else ""
            out.append(
                f"  {_date(m['published']):<10}  {m['lang'] or '-':<8} {m['facts']:>2} facts  "
                f"{via:<11}  {m['url'] or m['article_id']}"
            )
    out.append(f"({len(rows)} stories)")
    typer.echo("\n".join(out))


def timeline_command(
    a: Annotated[str, typer.Argument(metavar="A", help="A party code (KAZ).")],
    b: Annotated[str, typer.Argument(metavar="B", help="The other party (UZB).")],
    indicator: IndicatorOption = None,
    fmt: FormatOption = OutFormat.table,
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """The reconciled figures between two parties: full years, parts of a year beside them."""
    series = _read(db, lambda s: s.timeline(a, b, indicator=indicator))
    if fmt is OutFormat.json:
        typer.echo(_json(series))
        return
    if not series:
        typer.echo(f"(no actual figures between {a.upper()} and {b.upper()})")
        return
    out = []
    for s in series:
        out.append(
            f"{s['indicator']} {parties(s['indicator'], s['party_a'], s['party_b'])} ({s['unit']})"
        )
        partial_of: dict[int, list[str]] = {}
        for p in s["partial"]:
            partial_of.setdefault(p["year"], []).append(
                f"{p['label']} {stated(p['value'], p['bound'], p['value_max'], None)} "
                f"({p['sources']}{'!' if p['disputed'] else ''})"
            )
        full = {r["year"]: r for r in s["years"]}
        cells = []
        for year in sorted(set(full) | set(partial_of)):
            r = full.get(year)
            cells.append(
                (
                    str(year),
                    stated(r["value"], r["bound"], r["value_max"], None) if r else "",
                    str(r["sources"]) if r else "",
                    ",".join(r["languages"]) if r else "",
                    pct(r.get("growth_pct")) if r and r.get("growth_pct") is not None else "",
                    ", ".join(f"{stated(x['value'], x['bound'], x['value_max'], None)} ({x['sources']})" for x in r["alternatives"])
                    if r and r["disputed"] else "",
                    "; ".join(partial_of.get(year, [])),
                )
            )  # fmt: skip
        if cells:
            out.append(
                table(
                    ("year", "full year", "sources", "languages", "growth", "disputed by", "partial periods (sources)"),
                    cells,
                    right={1, 2},
                ).rstrip("\n")
            )  # fmt: skip
        for o in s["other"]:
            out.append(
                f"  {o['period']}: {stated(o['value'], o['bound'], o['value_max'], None)} "
                f"({o['sources']} sources)"
            )
        out.append("")
    typer.echo("\n".join(out).rstrip("\n"))


def targets_command(
    party: PartyOption = None,
    partner: PartnerOption = None,
    indicator: IndicatorOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge as of this date (default today).")
    ] = None,
    fmt: FormatOption = OutFormat.table,
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """Targets: actual, progress, growth needed vs recent, and a verdict."""
    filters = {
        k: v for k, v in dict(party=party, partner=partner, indicator=indicator).items() if v
    }
    rows = _read(db, lambda s: s.targets(as_of=as_of, **filters))
    if fmt is OutFormat.json:
        typer.echo(_json(rows))
        return
    if not rows:
        typer.echo("(no targets)")
        return
    cells = []
    for r in rows:
        actual = f"{human(r['actual'])} ({r['actual_year']})" if r["actual"] is not None else "-"
        recent = pct(r["recent_cagr_pct"])
        if r["recent_from"] == "stated":
            recent += " stated"
        elif r["recent_from"] is not None:
            recent += f" since {r['recent_from']}"
        cells.append(
            (
                parties(r["indicator"], r["party_a"], r["party_b"]),
                r["indicator"],
                stated(r["target"], r["bound"], None, r["unit"]),
                str(r["deadline"] or "-"),
                _date(r["stated"]),
                actual,
                "-" if r["progress_pct"] is None else f"{r['progress_pct']:.0f}%",
                pct(r["needed_cagr_pct"]),
                recent,
                (r["verdict"] or f"- ({r['note']})") + (" (restated)" if r["restated"] else ""),
                _short(r["stated_by"], 60),
            )
        )
    typer.echo(
        table(
            ("parties", "indicator", "target", "by", "stated", "actual", "progress",
             "needs/yr", "recent/yr", "verdict", "source"),
            cells,
            right={2, 5, 6, 7},
        ),
        nl=False,
    )  # fmt: skip


def reconcile_command(
    full: Annotated[
        bool, typer.Option("--full", help="Recompute everything from scratch.")
    ] = False,
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """Bring claims, contradictions and stories up to date (ingest does it by itself)."""
    from tradefacts.store import Store, StoreError

    try:
        with Store(db) as store:
            summary = store.reconcile(full=full)
    except StoreError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(summary.line() if summary.articles or summary.full else "nothing to reconcile")


def register(app: typer.Typer) -> None:
    app.command("claims")(claims_command)
    app.command("contradictions")(contradictions_command)
    app.command("stories")(stories_command)
    app.command("timeline")(timeline_command)
    app.command("targets")(targets_command)
    app.command("reconcile")(reconcile_command)
