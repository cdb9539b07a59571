"""The command line: ``extract`` and ``eval``; the store: ``ingest``, ``reextract``,
``facts``, ``stats``, ``export``, ``watch``.

Bad input never ends a run with a traceback: every unreadable file, bad JSONL line or
failed extraction is one ``error: <where>: <reason>`` line on stderr, and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO, TypeVar

import typer

from tradefacts import __version__
from tradefacts.cli_options import (
    DbOption,
    IndicatorOption,
    PartnerOption,
    SinceOption,
    StatusOption,
    UntilOption,
)
from tradefacts.document import Document, ReadError, iter_documents
from tradefacts.eval import evaluate, format_parties, format_report, load_gold
from tradefacts.lang.detect import detect_language
from tradefacts.util import given

app = typer.Typer(
    name="tradefacts",
    help="Trade facts (turnover, export, import, investment, freight) from economic news.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    jsonl = "jsonl"
    table = "table"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"tradefacts {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Trade facts (turnover, export, import, investment, freight) from economic news."""


def _error(line: str) -> None:
    typer.echo(line, err=True)


def _reason(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


# --------------------------------------------------------------------------- extract

_HEADER_DATE = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})")


def _header_date(text: str) -> dt.date | None:
    m = _HEADER_DATE.match(text)
    try:
        return dt.date.fromisoformat(m.group(1)) if m else None
    except ValueError:
        return None


def _publication_date_fn() -> Callable[[str], Any]:
    try:
        return importlib.import_module("tradefacts.extract.periods").publication_date
    except (ImportError, AttributeError):
        return _header_date


def published(doc: Document) -> dt.date | None:
    """The metadata date, else the date the text gives (header or dateline)."""
    if doc.date:
        return doc.date
    try:
        value = _publication_date_fn()(doc.text)
    except Exception:  # noqa: BLE001 - a date guess must not stop a run
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _extract(doc: Document) -> list[Any]:
    extract = importlib.import_module("tradefacts.extract").extract
    return list(extract(doc.text, doc.date))


def _records(paths: list[Path], failures: list[str]) -> Iterator[dict[str, Any]]:
    """One output record per readable article; errors go to stderr and into ``failures``."""
    for item in iter_documents(paths):
        if isinstance(item, ReadError):
            failures.append(item.message)
            _error(item.message)
            continue
        try:
            facts = [f.to_dict() for f in _extract(item)]
        except Exception as e:  # noqa: BLE001 - one article must not stop the run
            line = f"error: {item.id}: {_reason(e)}"
            failures.append(line)
            _error(line)
            continue
        date = published(item)
        yield {
            "doc": item.id,
            "lang": detect_language(item.text),
            "published": date.isoformat() if date else None,
            "facts": facts,
        }


@contextmanager
def _output(out: Path | None) -> Iterator[TextIO]:
    if out is None:
        yield sys.stdout
        return
    with out.open("w", encoding="utf-8", newline="\n") as f:
        yield f


@app.command("extract")
def extract_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Text files, directories (their *.txt, recursively) or JSONL files.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        Format,
        typer.Option("--format", "-f", help="jsonl: one line per article; table: for reading."),
    ] = Format.jsonl,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Extract the trade facts of every article. Exit status 1 when some input failed."""
    failures: list[str] = []
    try:
        with _output(out) as stream:
            if fmt is Format.jsonl:
                for record in _records(paths, failures):
                    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                    stream.flush()
            else:
                stream.write(format_table(list(_records(paths, failures))))
    except OSError as e:
        _error(f"error: {out}: {e.strerror.lower() if e.strerror else e}")
        raise typer.Exit(1) from None
    if failures:
        raise typer.Exit(1)


_COLUMNS = ("doc", "indicator", "parties", "period", "value", "unit", "bound", "status", "growth")


def format_table(records: list[dict[str, Any]]) -> str:
    """An aligned table, one row per fact (one row saying so for an article without facts)."""
    rows: list[tuple[str, ...]] = []
    for r in records:
        if not r["facts"]:
            rows.append((r["doc"], "(no facts)", "", "", "", "", "", "", ""))
        for f in r["facts"]:
            value = _number(f["value"])
            if f.get("value_max") is not None:
                value += f"..{_number(f['value_max'])}"
            rows.append(
                (
                    r["doc"],
                    f["indicator"],
                    format_parties(f),
                    f.get("period") or "-",
                    value,
                    f["unit"],
                    f["bound"],
                    f["status"],
                    _growth(f.get("growth_pct")),
                )
            )
    widths = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(_COLUMNS)]
    right = {4}  # values align right

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(_COLUMNS), line(tuple("-" * w for w in widths))]
    out.extend(line(row) for row in rows)
    return "\n".join(out) + "\n"


def _number(x: float) -> str:
    return f"{x:,.0f}" if float(x) == int(x) else f"{x:,.6g}"


_GROWTH_SIGN = {"eq": "", "approx": "~", "gt": ">", "lt": "<", "range": ""}


def _growth(g: dict[str, Any] | None) -> str:
    if not g:
        return ""
    text = f"{g['value']:+g}"
    if g.get("value_max") is not None:
        text += f"..{g['value_max']:+g}"
    return f"{_GROWTH_SIGN.get(g.get('bound', 'eq'), '')}{text}%"


# --------------------------------------------------------------------------- eval


@app.command("eval")
def eval_command(
    corpus: Annotated[
        list[Path],
        typer.Option("--corpus", help="Articles: text files, directories or JSONL (repeatable)."),
    ],
    gold: Annotated[
        Path | None, typer.Option("--gold", help="Gold JSONL: {doc, facts, notes} per line.")
    ] = None,
    stories: Annotated[
        Path | None,
        typer.Option(
            "--stories",
            help='Gold stories JSON ({"stories": [[doc, ...], ...]}): score the stories '
            "(pairwise P/R/F1) instead of, or besides, the facts.",
        ),
    ] = None,
    show_misses: Annotated[
        bool, typer.Option("--show-misses", help="List misses, extras and wrong bounds/growth.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Score the extractor against gold (P/R/F1 per language), or --stories (pairwise)."""
    if gold is None and stories is None:
        _error("error: give --gold (facts), --stories (stories) or both")
        raise typer.Exit(2)
    if stories is not None:
        _eval_stories(stories, corpus, show_misses, as_json)
    if gold is None:
        return
    gold_docs, gold_errors = load_gold(gold)
    for e in gold_errors:
        _error(e.message)
    if not gold_docs:
        _error(f"error: {gold}: no gold documents")
        raise typer.Exit(1)
    result = evaluate(gold_docs, iter_documents(corpus), on_error=_error)
    if as_json:
        payload = result.to_dict(details=show_misses)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        typer.echo(format_report(result, show_misses=show_misses), nl=False)


def _eval_stories(path: Path, corpus: list[Path], show_misses: bool, as_json: bool) -> None:
    from tradefacts.eval import evaluate_stories, format_story_report, load_stories

    try:
        gold_stories = load_stories(path)
    except ValueError as e:
        _error(f"error: {e}")
        raise typer.Exit(1) from None
    result = evaluate_stories(
        gold_stories,
        iter_documents(corpus),
        on_error=lambda line: _error(line if line.startswith("error") else f"error: {line}"),
    )
    if as_json:
        typer.echo(json.dumps({"stories": result.to_dict()}, ensure_ascii=False, indent=1))
    else:
        typer.echo(format_story_report(result, show_misses=show_misses), nl=False)


# --------------------------------------------------------------------------- store


def _open_store(db: Path, *, read_only: bool = False) -> Any:
    from tradefacts.store import Store, StoreError

    try:
        return Store(db, read_only=read_only)
    except StoreError as e:
        _error(f"error: {e}")
        raise typer.Exit(1) from None


def _interactive() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _print_error(line: str) -> None:
    _error(f"error: {line}")


@app.command("ingest")
def ingest_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE",
            help="Text files, folders, JSONL or Parquet files, HTML files, URLs of pages or feeds, "
            "`tradefacts batch` output folders.",
            show_default=False,
        ),
    ],
    db: DbOption = Path("tradefacts.duckdb"),
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Articles per transaction.")
    ] = 500,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="A line on stderr per committed batch.")
    ] = False,
) -> None:
    """Read articles, extract their facts and store both. Exit status 1 when some input failed.

    The same content again adds nothing; changed content at the same URL (or file) becomes a
    new version and supersedes the old one. Each batch is one transaction: after a crash or
    Ctrl-C, run the same command again.
    """
    from tradefacts.store import StoreError

    def on_batch(n: int, s: Any) -> None:
        _error(
            f"batch {n} committed: read {s.read}, new {s.new}, unchanged {s.unchanged}, "
            f"new versions {s.new_versions}, errors {len(s.errors)}"
        )

    store = _open_store(db)
    try:
        with store:
            summary = store.ingest(
                sources,
                progress=_interactive(),
                batch_size=batch_size,
                on_error=_print_error,
                on_batch=on_batch if verbose else None,
            )
    except StoreError as e:
        _error(f"error: {e}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _error("interrupted: committed batches are kept; run the same command again to finish")
        raise typer.Exit(130) from None
    typer.echo(summary.line())
    if summary.errors:
        raise typer.Exit(1)


@app.command("reextract")
def reextract_command(db: DbOption = Path("tradefacts.duckdb")) -> None:
    """Re-extract the facts of stored articles made by another extractor version (no refetch)."""
    from tradefacts.store import StoreError

    store = _open_store(db)
    try:
        with store:
            summary = store.reextract(progress=_interactive(), on_error=_print_error)
    except StoreError as e:
        _error(f"error: {e}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _error("interrupted: committed batches are kept; run the same command again to finish")
        raise typer.Exit(130) from None
    typer.echo(summary.line())
    if summary.errors:
        raise typer.Exit(1)


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"


PartyOption = Annotated[
    str | None, typer.Option("--party", help="A party code (KAZ); either side of the fact.")
]
LangOption = Annotated[
    str | None, typer.Option("--lang", help="Article language (kk, ru, uz matches uz-Cyrl/-Latn).")
]
AllOption = Annotated[
    bool, typer.Option("--all", help="Include superseded facts (of older article versions).")
]


def _filters(**kw: Any) -> dict[str, Any]:
    include = kw.pop("include_superseded")
    return {**given(**kw), "include_superseded": include}


@app.command("facts")
def facts_command(
    party: PartyOption = None,
    partner: PartnerOption = None,
    indicator: IndicatorOption = None,
    status: StatusOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    lang: LangOption = None,
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f")] = QueryFormat.table,
    limit: Annotated[int | None, typer.Option("--limit", min=0, help="At most N rows.")] = None,
    include_superseded: AllOption = False,
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """Query the stored facts."""

    filters = _filters(
        party=party,
        partner=partner,
        indicator=indicator,
        status=status,
        since=since,
        until=until,
        lang=lang,
        limit=limit,
        include_superseded=include_superseded,
    )
    rows = _read_store(db, lambda store: store.facts(**filters))
    if fmt is QueryFormat.json:
        from tradefacts.store import json_row

        typer.echo(json.dumps([json_row(r) for r in rows], ensure_ascii=False, indent=1))
    elif fmt is QueryFormat.csv:
        import csv
        import io

        from tradefacts.store import FACT_COLUMNS, json_row

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(FACT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: "" if v is None else v for k, v in json_row(r).items()})
        typer.echo(buf.getvalue(), nl=False)
    else:
        typer.echo(format_fact_rows(rows), nl=False)


_FACT_TABLE = ("published", "lang", "indicator", "parties", "period", "value", "unit", "bound")
_FACT_TABLE += ("status", "growth", "article")


def format_fact_rows(rows: list[dict[str, Any]]) -> str:
    """Stored facts as an aligned table, one line each."""
    if not rows:
        return "(no facts)\n"
    cells: list[tuple[str, ...]] = []
    for r in rows:
        value = _number(r["value"])
        if r.get("value_max") is not None:
            value += f"..{_number(r['value_max'])}"
        growth = None
        if r.get("growth_value") is not None:
            growth = {"value": r["growth_value"], "bound": r.get("growth_bound") or "eq"}
            if r.get("growth_value_max") is not None:
                growth["value_max"] = r["growth_value_max"]
        published = r.get("published")
        cells.append(
            (
                published.isoformat() if published else "-",
                r.get("lang") or "-",
                r["indicator"],
                format_parties(
                    {"indicator": r["indicator"], "parties": [r["party_a"], r["party_b"]]}
                ),
                r.get("period") or "-",
                value,
                r["unit"],
                r["bound"],
                r["status"],
                _growth(growth),
                str(r.get("url") or r["article_id"])
                + (f" v{r['version']}" if r["version"] > 1 else ""),
            )
        )
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(_FACT_TABLE)]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i == 5 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    out = [line(_FACT_TABLE), line(tuple("-" * w for w in widths))]
    out.extend(line(row) for row in cells)
    out.append(f"({len(rows)} facts)")
    return "\n".join(out) + "\n"


@app.command("stats")
def stats_command(
    db: DbOption = Path("tradefacts.duckdb"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Counts of the stored articles and facts."""
    store = _open_store(db, read_only=True)
    with store:
        stats = store.stats()
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=1))
        return
    lines = [
        f"database          {stats['path']}",
        f"articles          {stats['articles']} current, {stats['superseded_versions']} "
        f"superseded versions, {stats['articles_without_facts']} without facts",
        f"facts             {stats['facts']} current, {stats['superseded_facts']} superseded",
        f"published         {stats['published_first'] or '-'} .. {stats['published_last'] or '-'}",
        f"extractor         {stats['extractor_version']}; stale articles {stats['stale_articles']}"
        + (" (run `tradefacts reextract`)" if stats["stale_articles"] else ""),
        "languages         " + _counts(stats["languages"]),
        "indicators        " + _counts(stats["indicators"]),
        "top pairs         " + _counts(stats["top_pairs"]),
    ]
    typer.echo("\n".join(lines))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "-"


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="The file to write.")],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option("--format", "-f", help="csv, parquet or jsonl (default: from OUT's suffix)."),
    ] = None,
    party: PartyOption = None,
    partner: PartnerOption = None,
    indicator: IndicatorOption = None,
    status: StatusOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    lang: LangOption = None,
    include_superseded: AllOption = False,
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """Write the stored facts (with their article's url, title, date, language) to a file."""

    filters = _filters(
        party=party,
        partner=partner,
        indicator=indicator,
        status=status,
        since=since,
        until=until,
        lang=lang,
        include_superseded=include_superseded,
    )
    n = _read_store(db, lambda store: store.export(out, fmt.value if fmt else None, **filters))
    typer.echo(f"wrote {n} facts to {out}")


T = TypeVar("T")


def _read_store(db: Path, op: Callable[[Any], T]) -> T:
    """Run ``op`` on the database opened read-only; a store error is one line and exit 1."""
    from tradefacts.store import StoreError

    store = _open_store(db, read_only=True)
    try:
        with store:
            return op(store)
    except StoreError as e:
        _error(f"error: {e}")
        raise typer.Exit(1) from None


_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds in ``30s``, ``15m``, ``1h``, ``1h30m``, ``2d`` or a plain number of seconds."""
    spec = text.strip().replace(" ", "")
    pos, total = 0, 0.0
    while pos < len(spec):
        m = _INTERVAL.match(spec, pos)
        if not m or not m.group(0):
            raise ValueError(f"not a duration: {text!r} (want e.g. 30s, 15m, 1h)")
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()]
        pos = m.end()
    if total < 1:
        raise ValueError(f"not a duration of at least one second: {text!r}")
    return total


@app.command("watch")
def watch_command(
    urls: Annotated[list[str], typer.Argument(metavar="FEED_URL", help="Feeds or pages to poll.")],
    every: Annotated[str, typer.Option("--every", help="Poll interval: 30s, 15m, 1h.")] = "15m",
    db: DbOption = Path("tradefacts.duckdb"),
) -> None:
    """Poll feeds and ingest new entries until Ctrl-C (backs off on network errors).

    The database is opened only while a poll's entries are stored, so queries can run in
    between.
    """
    import threading

    from tradefacts.ingest import sources_module
    from tradefacts.store import StoreError

    try:
        interval = parse_interval(every)
    except ValueError as e:
        _error(f"error: --every: {e}")
        raise typer.Exit(2) from None
    module, why = sources_module()
    if module is None:
        _error(f"error: watch: {why}")
        raise typer.Exit(1)
    _open_store(db).close()  # fail now, not at the first poll, on a bad --db

    def on_documents(documents: list[Document]) -> None:
        if not documents:
            return
        try:
            with _open_store_or_raise(db) as store:
                summary = store.ingest(documents, on_error=_print_error)
        except StoreError as e:
            _error(f"error: {e}")
            return
        now = dt.datetime.now().isoformat(timespec="seconds")
        typer.echo(f"{now} {summary.line()}")

    stop = threading.Event()
    try:
        module.watch(urls, interval, on_documents, stop=stop, log=lambda m: typer.echo(m, err=True))
    except KeyboardInterrupt:
        stop.set()
    _error("watch stopped")


def _open_store_or_raise(db: Path) -> Any:
    from tradefacts.store import Store

    return Store(db)


def _utf8_stdio() -> None:
    """Write UTF-8 whatever the locale says; never fail on an unencodable character."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="backslashreplace")


# Commands of the later stages live beside their code and join this one app here: each
# module defines ``register(app)``. A module that is not there (yet) is simply skipped.
_COMMAND_MODULES = ("tradefacts.reconcile.commands", "tradefacts.batch", "tradefacts.api.commands")


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name and name.startswith(e.name):
                continue
            raise
        module.register(app)


_register_commands()


def main() -> None:
    """Console entry point (``tradefacts``, ``python -m tradefacts``).

    An unexpected failure is one line too; ``TRADEFACTS_DEBUG=1`` shows its traceback.
    """
    _utf8_stdio()
    try:
        app()
    except Exception as e:
        if os.environ.get("TRADEFACTS_DEBUG"):
            raise
        _error(f"error: unexpected {_reason(e)} (TRADEFACTS_DEBUG=1 shows the traceback)")
        sys.exit(1)
