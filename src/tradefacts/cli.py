"""The command line: ``tradefacts extract`` and ``tradefacts eval``.

Bad input never ends a run with a traceback: every unreadable file, bad JSONL line or
failed extraction is one ``error: <where>: <reason>`` line on stderr, and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from tradefacts import __version__
from tradefacts.document import Document, ReadError, iter_documents
from tradefacts.eval import evaluate, format_parties, format_report, load_gold
from tradefacts.lang.detect import detect_language

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
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(_COLUMNS)]
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
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSONL: {doc, facts, notes} per line.")],
    corpus: Annotated[
        list[Path],
        typer.Option("--corpus", help="Articles: text files, directories or JSONL (repeatable)."),
    ],
    show_misses: Annotated[
        bool, typer.Option("--show-misses", help="List misses, extras and wrong bounds/growth.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Score the extractor against gold: P/R/F1 per language and overall."""
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


def _utf8_stdio() -> None:
    """Write UTF-8 whatever the locale says; never fail on an unencodable character."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="backslashreplace")


def main() -> None:
    """Console entry point (``tradefacts``, ``python -m tradefacts``)."""
    _utf8_stdio()
    app()
