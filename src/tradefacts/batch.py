"""``tradefacts batch``: extract a large corpus in parallel, into Parquet.

    tradefacts batch INPUT... --out DIR [--engine local|spark] [--workers N]

``INPUT`` is a JSONL file (``.jsonl``, ``.ndjson``: records ``{id, url, date, lang, text}``),
a Parquet file (``.parquet``, ``.pq``: columns ``id, url, date, text``, optionally ``lang``,
``title``, ``source``) or a folder of them. Nothing is loaded whole:

1. The driver cuts every input into **splits** without parsing a record: byte ranges of a
   JSONL file that start at a line start (one pass counting line ends, so that line numbers
   stay exact), row ranges of a Parquet file (from its footer). A JSONL file that is not
   UTF-8 (UTF-16, cp1251) is one split, decoded whole, as ``ingest`` reads it.
2. Each split is one task, ``run_split``: it reads its records with the readers ``ingest``
   uses (same ids, same sources, same error lines), gives each article to the very
   ``analyse`` ``ingest`` calls (``extract``, publication date, language), and writes its
   rows to Parquet as it goes (``BUFFER_BYTES`` of Arrow tables held at most, whatever the
   split's size). The language data is loaded once per worker process and reused by every
   split it runs; then the process's garbage collector is set for the work
   (``prepare_worker``).
3. ``--engine local`` runs the splits in a pool of ``--workers`` processes (default: the
   cores this process may use; 1 runs them in this process). ``--engine spark`` runs the
   same ``run_split`` in PySpark: ``sc.parallelize(splits, len(splits)).mapPartitions(...)``,
   on ``local[N]`` unless ``--spark-master`` names a cluster (whose executors must see the
   inputs and ``DIR`` at the same paths: a shared filesystem). Both write the same files,
   row for row.
4. When every split is done the driver writes ``DIR/_tradefacts_batch.json``; a folder
   without it is an unfinished run.

The output folder::

    DIR/_tradefacts_batch.json                       what ran, on what, the counts
    DIR/facts/year=YYYY/language=LL/part-NNNNN.parquet     the facts
    DIR/articles/year=YYYY/language=LL/part-NNNNN.parquet  the articles, text included
    DIR/errors/part-NNNNN.parquet                    one row per record that failed

``NNNNN`` is the split; ``year`` the publication year (``__HIVE_DEFAULT_PARTITION__``
when the article has no date), ``language`` the detected language (the store's ``lang``).
DuckDB, Spark, pyarrow and pandas read each folder as one hive-partitioned table.

- ``facts``: the columns and types of ``tradefacts export --format parquet``
  (``store.EXPORT_SCHEMA``), built by the store's own row code.
- ``articles``: the store's ``articles`` table (``store.ARTICLE_SCHEMA``; ``ingested_at``
  is when the batch started) plus ``input`` (the file) and ``record`` (its line or row).
- ``errors``: ``input, record, id, article_id, kind, reason, message``; ``kind`` is ``read``
  (a bad line or row, an unreadable file), ``refused`` (no text, too long) or ``extract``
  (the extractor raised). A failing article never fails the job.

``version`` counts within one split only (an article repeated in a split with other text
is version 2; an identical repeat is dropped and counted as a duplicate), and
``superseded`` is always false: the batch is a log of what was extracted, not a store.
``tradefacts ingest DIR`` loads it into the store without extracting again, applying the
store's rules (identity, versions, unchanged content) as if the inputs had been ingested
directly, in their order.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import gc
import heapq
import itertools
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import typer

from tradefacts.document import JSONL_SUFFIXES, ReadError, decode_bytes, parse_record_line
from tradefacts.ingest import (
    BATCH_MANIFEST,
    PARQUET_COLUMNS,
    PARQUET_SUFFIXES,
    AnalysedDocument,
    Analysis,
    Progress,
    _parquet_row,
    _with_source,
    analyse,
    article_key,
    refusal,
)
from tradefacts.model import Evidence, Fact, Growth

__all__ = [
    "ENGINES",
    "MANIFEST",
    "BatchError",
    "BatchSummary",
    "Split",
    "plan",
    "read_output",
    "register",
    "run_batch",
    "run_split",
]

ENGINES = ("local", "spark")
MANIFEST = BATCH_MANIFEST
FORMAT = "tradefacts-batch"
FORMAT_VERSION = 1
#: the largest split (MB of input)
SPLIT_MB = 64
#: a split is at most the input left divided by this many times the workers (so at least
#: that many splits per worker remain): splits shrink towards the end, and the workers
#: finish together (guided scheduling)
SPLITS_PER_WORKER = 2
#: the smallest split the planner makes (bytes), however many workers
MIN_SPLIT_BYTES = 4_000_000
#: characters of article text a task gathers as Python rows before they become Arrow tables
BATCH_CHARS = 1_000_000
#: bytes of Arrow tables a task holds before it writes all its partitions out
BUFFER_BYTES = 32_000_000
#: the buffer of each output file's stream (a task has two files open per partition)
WRITE_BUFFER = 1 << 16
#: error lines a split reports back to the driver (all of them are in the errors files)
REPORTED_ERRORS = 100
#: the cyclic garbage collector's thresholds while a worker runs splits (Python's: 700, 10, 10)
GC_THRESHOLDS = (10_000, 100, 100)
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"

ARTICLE_EXTRA = pa.schema([("input", pa.string()), ("record", pa.int64())])
ERROR_SCHEMA = pa.schema(
    [
        ("input", pa.string()),
        ("record", pa.int64()),
        ("id", pa.string()),
        ("article_id", pa.string()),
        ("kind", pa.string()),
        ("reason", pa.string()),
        ("message", pa.string()),
    ]
)


class BatchError(Exception):
    """A batch that cannot start or finish (bad arguments, no Spark): one line for the user."""


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class Split:
    """One task: a part of one input file.

    ``kind`` ``jsonl``: bytes ``[start, end)`` of the file, starting at line ``first``;
    ``jsonl-whole``: the whole file, read as ``ingest`` reads it (files that are not plain
    UTF-8); ``parquet``: rows ``[start, end)`` (0-based; row ``start`` is record
    ``start + 1``); ``error``: a file that cannot be read at all (``reason``).
    """

    index: int
    input: str  # as the user gave it: in messages and in the ``input`` column
    path: str  # absolute: what the workers open
    kind: str
    start: int = 0
    end: int = 0
    first: int = 1
    reason: str = ""


def input_files(inputs: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The files to read: each JSONL or Parquet file given, and those under each folder
    given (recursively, sorted, hidden ones skipped). Raises BatchError for anything else."""
    files: list[str] = []
    for given in inputs:
        arg = os.fspath(given)
        p = Path(arg)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.name.lower().endswith(JSONL_SUFFIXES + PARQUET_SUFFIXES)
                and not any(part.startswith((".", "_")) for part in f.relative_to(p).parts)
                and f.is_file()
            )
            if not found:
                raise BatchError(f"{arg}: no JSONL or Parquet files in this folder")
            files += [str(f) for f in found]
        elif not p.exists():
            raise BatchError(f"{arg}: no such file or directory")
        elif not p.name.lower().endswith(JSONL_SUFFIXES + PARQUET_SUFFIXES):
            raise BatchError(
                f"{arg}: not a JSONL (.jsonl, .ndjson) or Parquet (.parquet, .pq) file"
            )
        else:
            files.append(arg)
    if not files:
        raise BatchError("no input given")
    return files


def plan(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    workers: int = 1,
    split_bytes: int | None = None,
) -> list[Split]:
    """Cut the inputs into splits (see ``Split``), in input order.

    Splits are ``split_bytes`` of input each, or by default guided by the input left: a
    split is at most that divided by ``SPLITS_PER_WORKER`` × ``workers``, between
    ``MIN_SPLIT_BYTES`` and ``SPLIT_MB`` MB. Large splits first, then smaller and smaller
    ones: few tasks (each costs its files), and the workers, which take the splits in
    order, finish together.
    """
    files = input_files(inputs)
    sizes = [_size(f) for f in files]
    if split_bytes is None:
        share = max(1, workers) * SPLITS_PER_WORKER
        largest = int(SPLIT_MB * 1_000_000)

        def size_for(left: int) -> int:
            size = max(MIN_SPLIT_BYTES, min(largest, left // share))
            return left if left - size < MIN_SPLIT_BYTES // 2 else size  # no crumb at the end
    else:
        fixed = max(1, int(split_bytes))

        def size_for(left: int) -> int:
            return fixed

    splits: list[Split] = []
    for i, f in enumerate(files):
        after = sum(sizes[i + 1 :])  # the input in the files after this one

        def size_at(offset: int, size: int = sizes[i], after: int = after) -> int:
            return size_for(max(0, size - offset) + after)

        full = str(Path(f).resolve())
        if f.lower().endswith(PARQUET_SUFFIXES):
            parts = _plan_parquet(full, size_at)
        else:
            parts = _plan_jsonl(full, size_at)
        for kind, start, end, first, reason in parts:
            splits.append(Split(len(splits), f, full, kind, start, end, first, reason))
    return splits


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


_Part = tuple[str, int, int, int, str]  # kind, start, end, first, reason
#: the size of the split that starts at a byte offset of the file
_SizeAt = Callable[[int], int]


def _plan_jsonl(path: str, size_at: _SizeAt) -> list[_Part]:
    whole: list[_Part] = [("jsonl-whole", 0, 0, 1, "")]
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
                return whole  # UTF-16/32: ``ingest`` reads such a file whole
            f.seek(0)
            for number, raw in enumerate(f, start=1):
                if number == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                if raw.strip():
                    try:
                        raw.decode("utf-8")
                    except UnicodeDecodeError:
                        return whole  # not UTF-8 (cp1251...): ``ingest`` reads it whole
                    break
            else:
                return whole  # empty: the whole-file reader says so
            f.seek(0)
            return [("jsonl", s, e, first, "") for s, e, first in _line_ranges(f, size_at)]
    except OSError as e:
        return [("error", 0, 0, 1, e.strerror.lower() if e.strerror else str(e))]


def _line_ranges(f: Any, split_bytes: int | _SizeAt) -> list[tuple[int, int, int]]:
    """``(start, end, first line)`` byte ranges of about ``split_bytes`` (or
    ``split_bytes(start)``), cut after a b"\\n"."""
    size_at = split_bytes if callable(split_bytes) else lambda _: split_bytes
    ranges: list[tuple[int, int, int]] = []
    start, first = 0, 1
    pos = 0  # file offset of ``block``
    lines = 0  # line ends before ``pos``
    cut = max(1, size_at(0))  # cut at the first line end at or after this offset - 1
    while block := f.read(1 << 23):
        i = 0  # line ends in block[:i] are counted in ``lines``
        while True:
            j = block.find(b"\n", max(cut - 1 - pos, i))
            if j < 0:
                break
            lines += block.count(b"\n", i, j + 1)
            i = j + 1
            end = pos + i
            ranges.append((start, end, first))
            start, first = end, lines + 1
            cut = end + max(1, size_at(end))
        lines += block.count(b"\n", i)
        pos += len(block)
    if start < pos:
        ranges.append((start, pos, first))
    return ranges


def _plan_parquet(path: str, size_at: _SizeAt) -> list[_Part]:
    try:
        pf = pq.ParquetFile(path)
        meta = pf.metadata
        names = set(pf.schema_arrow.names)
    except Exception as e:  # noqa: BLE001 - pyarrow raises several kinds
        return [("error", 0, 0, 1, f"not a readable Parquet file ({_first_line(e)})")]
    if "text" not in names:
        return [("error", 0, 0, 1, "no 'text' column (want columns id, url, date, text)")]
    # splits are measured in the row groups' (uncompressed) bytes; ``size_at`` in the file's
    groups = [meta.row_group(g) for g in range(meta.num_row_groups)]
    total = sum(max(1, g.total_byte_size) for g in groups)
    scale = max(1, _size(path)) / max(1, total)
    parts: list[_Part] = []
    row = 0  # first row of the current row group
    done = 0  # bytes of the row groups before it
    start, size = 0, 0  # the split being gathered: first row, bytes so far
    split_bytes = max(1, int(size_at(0) / scale))
    for group in groups:
        rows, nbytes = group.num_rows, max(1, group.total_byte_size)
        if nbytes > split_bytes:  # a large row group: cut it into row ranges
            if row > start:
                parts.append(("parquet", start, row, start + 1, ""))
            a = row
            while a < row + rows:
                at = done + nbytes * (a - row) // rows
                step = max(1, rows * max(1, int(size_at(int(at * scale)) / scale)) // nbytes)
                b = min(row + rows, a + step)
                parts.append(("parquet", a, b, a + 1, ""))
                a = b
            start, size = row + rows, 0
            split_bytes = max(1, int(size_at(int((done + nbytes) * scale)) / scale))
        else:
            if size and size + nbytes > split_bytes:
                parts.append(("parquet", start, row, start + 1, ""))
                start, size = row, 0
                split_bytes = max(1, int(size_at(int(done * scale)) / scale))
            size += nbytes
        row += rows
        done += nbytes
    if row > start:
        parts.append(("parquet", start, row, start + 1, ""))
    return parts


# --------------------------------------------------------------------------- reading


def split_records(split: Split) -> Iterator[tuple[int | None, Any]]:
    """``(record number, Document or ReadError)`` for every record of a split, read as
    ``ingest`` reads them (the document's ``source`` is the file name)."""
    name = Path(split.input).name
    shown = Path(split.input)
    if split.kind == "error":
        yield None, ReadError(split.input, split.reason)
    elif split.kind == "jsonl-whole":  # as ``document.read_jsonl``, with the line numbers
        try:
            content = decode_bytes(Path(split.path).read_bytes())
        except OSError as e:
            yield None, ReadError(shown, e.strerror.lower() if e.strerror else str(e))
            return
        except ValueError as e:
            yield None, ReadError(shown, str(e))
            return
        for number, line in enumerate(content.split("\n"), start=1):
            if line.strip():
                yield number, _with_source(parse_record_line(line, shown, number), name)
    elif split.kind == "jsonl":
        with open(split.path, "rb") as f:
            f.seek(split.start)
            pos, number = split.start, split.first - 1
            for raw in f:  # binary lines split on b"\n" only, as ``stream_jsonl`` does
                if pos >= split.end:
                    break
                pos += len(raw)
                number += 1
                if number == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                if not raw.strip():
                    continue
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    yield number, ReadError(shown, "not UTF-8 text", number)
                    continue
                yield number, _with_source(parse_record_line(line, shown, number), name)
    elif split.kind == "parquet":
        yield from _parquet_records(split, shown, name)
    else:
        raise ValueError(f"unknown split kind {split.kind!r}")


def _parquet_records(split: Split, shown: Path, name: str) -> Iterator[tuple[int | None, Any]]:
    pf = pq.ParquetFile(split.path)
    meta = pf.metadata
    columns = [c for c in PARQUET_COLUMNS if c in pf.schema_arrow.names]
    groups, row0, row = [], None, 0
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        if row < split.end and row + n > split.start:
            groups.append(g)
            row0 = row if row0 is None else row0
        row += n
    if not groups:
        return
    row = row0 or 0  # 0-based index of the next row read
    try:
        for batch in pf.iter_batches(batch_size=1024, row_groups=groups, columns=columns):
            data = batch.to_pydict()
            for i in range(batch.num_rows):
                row += 1
                if row <= split.start:
                    continue
                if row > split.end:
                    return
                try:
                    doc = _parquet_row({c: data[c][i] for c in columns}, shown, row)
                except ReadError as e:
                    yield row, e
                    continue
                yield row, _with_source(doc, name)
    except Exception as e:  # noqa: BLE001
        yield None, ReadError(shown, f"unreadable Parquet data after row {row} ({_first_line(e)})")


# --------------------------------------------------------------------------- one split


def load_language_data() -> None:
    """Load what ``extract`` and language detection need, once per process (then cached)."""
    analyse(" date 2025-01-01 warm-up\nТоварооборот составил 1 млрд долларов.\n")


def prepare_worker() -> None:
    """Make a process a batch worker for good: the language data loaded, and the garbage
    collector set for the work (the pool's initializer; the first task of a Spark worker).

    ``extract`` makes many short-lived containers, so Python's cyclic collector runs
    often, and each of its full runs walked all the language data (large dicts and lists
    that live as long as the process): 0.3-0.45 ms of CPU per article, 10-15 % of a task
    (measured on the synthetic corpus; ``bench/bench_batch.py`` prints ``analyse`` with
    and without these settings). Frozen after loading, that data is never walked again;
    the higher thresholds make the young collections rarer. An article's objects are
    freed by reference counting (the collections found next to no garbage cycles), so
    this keeps nothing alive longer.
    """
    load_language_data()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    # a spawned worker ends with a normal interpreter exit: the frozen objects must be
    # collectable then (else extension modules report them as leaked)
    atexit.register(gc.unfreeze)


@contextlib.contextmanager
def _worker_here() -> Iterator[None]:
    """``prepare_worker`` for a run in this process (``--workers 1``), undone afterwards."""
    thresholds = gc.get_threshold()
    frozen = gc.get_freeze_count() > 0  # someone else's freeze: leave it alone
    load_language_data()
    gc.collect()
    if not frozen:
        gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen:
            gc.unfreeze()


def partition_of(published: dt.date | None, lang: str | None) -> str:
    """``year=YYYY/language=LL``: where an article and its facts are written."""
    return _partition(published.year if published is not None else None, lang)


@functools.lru_cache(maxsize=4096)  # a few years times a few languages: each made once
def _partition(year: int | None, lang: str | None) -> str:
    code = lang or "und"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", code):
        code = quote(code, safe="")
    return f"year={NULL_PARTITION if year is None else year}/language={code}"


class _Output:
    """What one split writes, gathered as it goes.

    Articles go to the store's row builder (``store.Rows``); every ``BATCH_CHARS`` of text
    those rows become two Arrow tables (articles, facts), reordered by partition (input
    order within each) and held as one slice per partition. When the held tables reach
    ``BUFFER_BYTES``, and at the end, every partition is written out: one row group per
    partition and file. A Parquet row group costs about half a millisecond whatever its
    size, and each Arrow conversion a fixed part too, so both are made for many articles
    at once, not for one partition's handful. Memory: at most ``BATCH_CHARS`` of Python
    rows and ``BUFFER_BYTES`` of Arrow data, whatever the split's size.
    """

    def __init__(self, split: Split, out: Path, started: dt.datetime, extractor: str) -> None:
        self.split, self.out = split, out
        self.started, self.extractor = started, extractor
        self.partitions: set[str] = set()
        self.held: dict[str, list[tuple[pa.Table, pa.Table | None]]] = {}
        self.held_bytes = 0
        self.text_bytes = 0  # UTF-8 bytes of the articles' text
        #: (what, partition) -> (writer, its file stream, temporary path, final path)
        self.writers: dict[tuple[str, str], tuple[pq.ParquetWriter, Any, Path, Path]] = {}
        self._start_rows()

    def _start_rows(self) -> None:
        from tradefacts.store import Rows

        self.rows = Rows()
        self.names: list[str] = []  # the partition of each article row
        self.records: list[int | None] = []
        self.fact_ends: list[int] = []  # the facts of row i are rows [fact_ends[i-1], fact_ends[i])
        self.chars = 0

    def add(
        self, record: int | None, key: str, version: int, doc: Any, text_hash: str, analysis: Any
    ) -> None:
        """One article and its facts, in partition ``partition_of(...)``."""
        name = partition_of(analysis.published, analysis.lang)
        self.partitions.add(name)
        self.rows.add_article(key, version, doc, text_hash, analysis, self.started, self.extractor)
        self.names.append(name)
        self.records.append(record)
        self.fact_ends.append(len(self.rows.facts["fact_id"]))
        self.chars += len(doc.text)
        if self.chars >= BATCH_CHARS:
            self._convert()
            if self.held_bytes >= BUFFER_BYTES:
                self._write_held()

    def _convert(self) -> None:
        """The Python rows to Arrow, as one slice per partition."""
        n = len(self.names)
        if not n:
            return
        articles = self.rows.article_table()
        articles = articles.append_column(
            ARTICLE_EXTRA.field("input"), pa.array([self.split.input] * n, pa.string())
        ).append_column(ARTICLE_EXTRA.field("record"), pa.array(self.records, pa.int64()))
        facts = self.rows.export_fact_table() if self.fact_ends[-1] else None
        self.text_bytes += pc.sum(pc.binary_length(articles["text"])).as_py()
        # by partition, in input order within each (sorted() is stable)
        order = sorted(range(n), key=self.names.__getitem__)
        starts = [0, *self.fact_ends[:-1]]
        if order != list(range(n)):
            articles = articles.take(order)
            if facts is not None:
                facts = facts.take([f for i in order for f in range(starts[i], self.fact_ends[i])])
        a = f = 0
        for name, group in itertools.groupby(order, key=self.names.__getitem__):
            members = list(group)
            n_facts = sum(self.fact_ends[i] - starts[i] for i in members)
            self.held.setdefault(name, []).append(
                (
                    articles.slice(a, len(members)),
                    facts.slice(f, n_facts) if facts is not None and n_facts else None,
                )
            )
            a, f = a + len(members), f + n_facts
        self.held_bytes += articles.nbytes + (facts.nbytes if facts is not None else 0)
        self._start_rows()

    def _write_held(self) -> None:
        """Every partition held, one row group each."""
        for name, parts in self.held.items():
            self._write(name, "articles", pa.concat_tables(a for a, _ in parts))
            facts = [f for _, f in parts if f is not None]
            if facts:
                self._write(name, "facts", pa.concat_tables(facts))
        self.held.clear()
        self.held_bytes = 0

    def _write(self, name: str, what: str, table: pa.Table) -> None:
        entry = self.writers.get((what, name))
        if entry is None:
            folder = self.out / what / name
            folder.mkdir(parents=True, exist_ok=True)
            index = self.split.index
            final = folder / f"part-{index:05d}.parquet"
            tmp = folder / f".part-{index:05d}.{uuid.uuid4().hex}.tmp"
            # buffered: the writer's many small writes become a few system calls
            stream = pa.output_stream(str(tmp), compression=None, buffer_size=WRITE_BUFFER)
            entry = (pq.ParquetWriter(stream, table.schema), stream, tmp, final)
            self.writers[(what, name)] = entry
        entry[0].write_table(table, row_group_size=table.num_rows)

    def finish(self) -> None:
        """The rest written, and every file in its place."""
        self._convert()
        self._write_held()
        for writer, stream, tmp, final in self.writers.values():
            writer.close()
            stream.close()
            os.replace(tmp, final)  # a task run again replaces its own files, whole
        self.writers.clear()

    def abort(self) -> None:
        for writer, stream, tmp, _ in self.writers.values():
            with contextlib.suppress(Exception):
                writer.close()
            with contextlib.suppress(Exception):
                stream.close()
            tmp.unlink(missing_ok=True)
        self.writers.clear()


def run_split(split: Split, out: str | os.PathLike[str], started: dt.datetime) -> dict[str, Any]:
    """Read, analyse and write one split; the same function for every engine.

    Returns the split's counts and its first error lines. Raises only when the output
    cannot be written (a full disk...); a record that cannot be read or analysed is a row
    of ``errors/part-NNNNN.parquet``.
    """
    from tradefacts.store import content_hash, extractor_version

    clock = time.perf_counter()
    out = Path(out)
    output = _Output(split, out, started, extractor_version())
    known: dict[str, tuple[int, set[str]]] = {}
    errors: dict[str, list[Any]] = {name: [] for name in ERROR_SCHEMA.names}
    result: dict[str, Any] = {
        "index": split.index,
        "read": 0,
        "articles": 0,
        "duplicates": 0,
        "facts": 0,
        "errors": 0,
        "chars": 0,
        "bytes": 0,
        "error_lines": [],
        "partitions": [],
    }

    def fail(record: int | None, kind: str, reason: str, message: str, doc: Any = None) -> None:
        errors["input"].append(split.input)
        errors["record"].append(record)
        errors["id"].append(doc.id if doc is not None else None)
        errors["article_id"].append(article_key(doc) if doc is not None else None)
        errors["kind"].append(kind)
        errors["reason"].append(reason)
        errors["message"].append(message)
        result["errors"] += 1
        if len(result["error_lines"]) < REPORTED_ERRORS:
            result["error_lines"].append(message)

    try:
        for record, item in split_records(split):
            if isinstance(item, ReadError):
                fail(item.line if item.line is not None else record, "read", item.reason, str(item))
                continue
            doc = item
            result["read"] += 1
            why = refusal(doc)
            if why:
                fail(record, "refused", why, f"{_where(doc, split.input, record)}: {why}", doc)
                continue
            key, text_hash = article_key(doc), content_hash(doc.text)
            entry = known.get(key)
            if entry is not None and text_hash in entry[1]:
                result["duplicates"] += 1
                continue
            try:
                analysis = analyse(doc.text, doc.date)
            except Exception as e:  # noqa: BLE001 - one article must not stop the job
                reason = f"extraction failed: {_reason(e)}"
                fail(
                    record, "extract", reason, f"{_where(doc, split.input, record)}: {reason}", doc
                )
                continue
            version = 1 if entry is None else entry[0] + 1
            known[key] = (version, (entry[1] if entry else set()) | {text_hash})
            output.add(record, key, version, doc, text_hash, analysis)
            result["articles"] += 1
            result["facts"] += len(analysis.facts)
            result["chars"] += len(doc.text)
        output.finish()
        if errors["kind"]:
            folder = out / "errors"
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".part-{split.index:05d}.{uuid.uuid4().hex}.tmp"
            pq.write_table(pa.table(errors, schema=ERROR_SCHEMA), tmp)
            os.replace(tmp, folder / f"part-{split.index:05d}.parquet")
    except BaseException:
        output.abort()
        raise
    result["bytes"] = output.text_bytes
    result["partitions"] = sorted(output.partitions)
    result["seconds"] = time.perf_counter() - clock
    return result


def _where(doc: Any, shown: str, record: int | None) -> str:
    if doc.url:
        return doc.url
    return f"{shown}:{record}: {doc.id}" if record is not None else f"{shown}: {doc.id}"


def _reason(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


# --------------------------------------------------------------------------- engines


@dataclass(slots=True)
class BatchSummary:
    """What one ``run_batch`` did."""

    out: str = ""
    engine: str = "local"
    workers: int = 1
    splits: int = 0
    read: int = 0
    articles: int = 0
    duplicates: int = 0
    facts: int = 0
    errors: int = 0
    chars: int = 0
    bytes: int = 0
    seconds: float = 0.0
    error_lines: list[str] = field(default_factory=list)
    partitions: set[str] = field(default_factory=set)

    def add(self, result: dict[str, Any]) -> None:
        for name in ("read", "articles", "duplicates", "facts", "errors", "chars", "bytes"):
            setattr(self, name, getattr(self, name) + result[name])
        self.error_lines += result["error_lines"]
        self.partitions.update(result["partitions"])

    def line(self) -> str:
        rate = f", {self.read / self.seconds:,.0f} articles/s" if self.seconds > 0 else ""
        return (
            f"read {self.read}, articles {self.articles}, facts {self.facts}, "
            f"duplicates {self.duplicates}, errors {self.errors} "
            f"({self.seconds:.1f} s{rate}) -> {self.out}"
        )

    def __str__(self) -> str:
        return self.line()


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_batch(
    inputs: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    engine: str = "local",
    workers: int | None = None,
    split_bytes: int | None = None,
    spark_master: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> BatchSummary:
    """Extract every article of ``inputs`` into the folder ``out`` (see the module notes).

    ``on_result(result)`` is called in the driver as each split finishes (its counts and
    first error lines). Raises BatchError when the job cannot run.
    """
    if engine not in ENGINES:
        raise BatchError(f"unknown engine {engine!r} (one of: {', '.join(ENGINES)})")
    workers = workers or default_workers()
    if workers < 1:
        raise BatchError("--workers must be at least 1")
    clock = time.perf_counter()
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    target = Path(out)
    splits = plan(inputs, workers=workers, split_bytes=split_bytes)
    _prepare_out(target, overwrite)
    summary = BatchSummary(out=str(target), engine=engine, workers=workers, splits=len(splits))
    bar = Progress(progress, "batch")

    def done(result: dict[str, Any]) -> None:
        summary.add(result)
        bar.advance(result["read"])
        if on_result is not None:
            on_result(result)

    runner = _run_spark if engine == "spark" else _run_local
    with bar.running():
        runner(splits, target.resolve(), started, workers, spark_master, done)
    summary.seconds = time.perf_counter() - clock
    _write_manifest(target, summary, splits, started, spark_master)
    return summary


def _prepare_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise BatchError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        ours = [out / MANIFEST, out / "facts", out / "articles", out / "errors"]
        if not overwrite:
            raise BatchError(
                f"{out}: not empty (give --overwrite to replace a previous batch output)"
            )
        if not any(p.exists() for p in ours):
            raise BatchError(f"{out}: not empty and not a batch output; give another --out")
        (out / MANIFEST).unlink(missing_ok=True)  # first: the folder is unfinished from now
        for p in ours[1:]:
            if p.is_dir():
                shutil.rmtree(p)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BatchError(f"{out}: cannot create ({e.strerror or e})") from None


def _write_manifest(
    out: Path,
    summary: BatchSummary,
    splits: list[Split],
    started: dt.datetime,
    spark_master: str | None,
) -> None:
    from tradefacts import __version__
    from tradefacts.store import extractor_version

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tradefacts": __version__,
        "extractor_version": extractor_version(),
        "engine": summary.engine,
        "workers": summary.workers,
        "spark_master": (spark_master or f"local[{summary.workers}]")
        if summary.engine == "spark"
        else None,
        "started": started.isoformat() + "Z",
        "seconds": round(summary.seconds, 3),
        "inputs": sorted({s.input for s in splits}, key=[s.input for s in splits].index),
        "splits": len(splits),
        "read": summary.read,
        "articles": summary.articles,
        "duplicates": summary.duplicates,
        "facts": summary.facts,
        "errors": summary.errors,
        "text_bytes": summary.bytes,
        "partitions": sorted(summary.partitions),
        "layout": {
            "facts": "facts/year=YYYY/language=LL/part-NNNNN.parquet (export schema)",
            "articles": "articles/year=YYYY/language=LL/part-NNNNN.parquet",
            "errors": "errors/part-NNNNN.parquet",
        },
    }
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, out / MANIFEST)


def _run_local(
    splits: list[Split],
    out: Path,
    started: dt.datetime,
    workers: int,
    _master: str | None,
    done: Callable[[dict[str, Any]], None],
) -> None:
    """The splits in a pool of ``workers`` processes (in this one when ``workers`` is 1)."""
    if workers == 1 or len(splits) <= 1:
        with _worker_here():
            for split in splits:
                done(run_split(split, out, started))
        return
    # spawn: fresh workers, nothing inherited from this process's threads (pyarrow, rich)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(splits)),
        mp_context=context,
        initializer=prepare_worker,
    ) as pool:
        futures = [pool.submit(run_split, split, out, started) for split in splits]
        try:
            for future in as_completed(futures):
                done(future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise


_prepared = False


def _spark_partition(items: Iterable[tuple[Split, str, dt.datetime]]) -> Iterator[dict[str, Any]]:
    """A Spark task: its splits through ``run_split``. Python workers are reused across
    tasks (``spark.python.worker.reuse``), so the language data loads once per worker."""
    global _prepared
    if not _prepared:
        prepare_worker()
        _prepared = True
    for split, out, started in items:
        yield run_split(split, out, started)


def spark_unavailable() -> str | None:
    """Why the spark engine cannot run here (no PySpark, no Java), or None."""
    try:
        import pyspark
    except ImportError:
        return "the spark engine needs PySpark: pip install 'tradefacts[spark]'"
    need = 17 if int(pyspark.__version__.split(".")[0]) >= 4 else 8
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        where = f"JAVA_HOME={java_home} has no bin/java" if java_home else "no java on PATH"
        return f"the spark engine needs Java {need} or later ({where})"
    try:
        shown = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30
        ).stderr
    except (OSError, subprocess.SubprocessError) as e:
        return f"the spark engine needs Java {need} or later ({java}: {_first_line(e)})"
    m = re.search(r'version "(\d+)(?:\.(\d+))?', shown)
    major = (int(m.group(2)) if m.group(1) == "1" else int(m.group(1))) if m else None
    if major is not None and major < need:
        return f"PySpark {pyspark.__version__} needs Java {need} or later; {java} is Java {major}"
    return None


def _run_spark(
    splits: list[Split],
    out: Path,
    started: dt.datetime,
    workers: int,
    master: str | None,
    done: Callable[[dict[str, Any]], None],
) -> None:
    """The splits as Spark tasks: ``parallelize(splits).mapPartitions(_spark_partition)``."""
    why = spark_unavailable()
    if why:
        raise BatchError(why)
    # the executors' Python must be this one (same tradefacts, same language data)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyspark warns about pandas versions
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master(master or f"local[{workers}]")
            .appName("tradefacts batch")
            .config("spark.ui.enabled", "false")
            .config("spark.python.worker.reuse", "true")
            .config("spark.log.level", "ERROR")
            .getOrCreate()
        )
    try:
        if not splits:
            return
        work = [(split, str(out), started) for split in splits]
        rdd = spark.sparkContext.parallelize(work, numSlices=len(work))
        for result in rdd.mapPartitions(_spark_partition).collect():
            done(result)
    finally:
        spark.stop()


# --------------------------------------------------------------------------- reading back


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a finished batch output; BatchError when there is none or it is
    not one this version reads."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BatchError(
            f"{folder}: unfinished tradefacts batch output (no {MANIFEST}); run the batch again"
        ) from None
    except (OSError, ValueError) as e:
        raise BatchError(f"{path}: unreadable ({_first_line(e)})") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BatchError(
            f"{path}: not a batch output this tradefacts reads "
            f"(format {manifest.get('format')!r} version {manifest.get('format_version')!r})"
        )
    return manifest


_PART = re.compile(r"part-(\d+)\.parquet$")


def _parts(root: Path) -> dict[int, list[Path]]:
    found: dict[int, list[Path]] = {}
    if root.is_dir():
        for p in sorted(root.rglob("part-*.parquet")):
            m = _PART.search(p.name)
            if m:
                found.setdefault(int(m.group(1)), []).append(p)
    return found


def read_output(folder: str | os.PathLike[str]) -> Iterator[AnalysedDocument | ReadError]:
    """The articles of a batch output, each with its facts, in input order:
    what ``tradefacts ingest DIR`` stores (without extracting again).

    Reads one split at a time (its facts, then its articles merged across partitions by
    record), so memory stays that of one split. Errors the batch recorded are not
    reported again (they are in ``DIR/errors``).
    """
    root = Path(folder)
    try:
        read_manifest(root)
    except BatchError as e:
        yield ReadError(root, str(e).removeprefix(f"{root}: "))
        return
    articles, facts = _parts(root / "articles"), _parts(root / "facts")
    for index in sorted(articles):
        try:
            by_article = _facts_of(facts.get(index, []))
            streams = [_article_rows(p) for p in articles[index]]
            for _, row in heapq.merge(*streams, key=lambda item: item[0]):
                yield _document(row, by_article.pop((row["id"], row["version"]), []))
        except (OSError, pa.ArrowException, KeyError, ValueError) as e:
            yield ReadError(root, f"split {index}: unreadable batch output ({_first_line(e)})")


def _article_rows(path: Path) -> Iterator[tuple[tuple[int, int], dict[str, Any]]]:
    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches(batch_size=256):
        for row in batch.to_pylist():
            record = row["record"]
            yield (0 if record is None else 1, record or 0), row


def _facts_of(paths: list[Path]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    by_article: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for path in paths:  # an article's facts are together, in the extractor's order
        for row in pq.ParquetFile(path).read().to_pylist():
            by_article.setdefault((row["article_id"], row["version"]), []).append(row)
    return by_article


def _document(row: dict[str, Any], fact_rows: list[dict[str, Any]]) -> AnalysedDocument:
    published = row["published"]
    analysis = Analysis(
        lang=row["lang"],
        published=published,
        published_from=row["published_from"],
        facts=[_fact(f) for f in fact_rows],
    )
    return AnalysedDocument(
        id=row["doc_id"],
        text=row["text"],
        url=row["url"],
        date=published if row["published_from"] == "metadata" else None,
        path=Path(row["input"]) if row.get("input") else None,
        label_lang=row["label_lang"],
        title=row["title"],
        source=row["source"],
        analysis=analysis,
        extractor=row["extractor_version"],
    )


def _fact(row: dict[str, Any]) -> Fact:
    growth = None
    if row["growth_value"] is not None:
        growth = Growth(row["growth_value"], row["growth_bound"] or "eq", row["growth_value_max"])
    return Fact(
        indicator=row["indicator"],
        parties=(row["party_a"], row["party_b"]),
        period=row["period"],
        value=row["value"],
        unit=row["unit"],
        bound=row["bound"],
        status=row["status"],
        evidence=Evidence(row["evidence_sentence"], row["evidence_start"], row["evidence_end"]),
        value_max=row["value_max"],
        growth=growth,
        product=row["product"],
        extra={"batch_fact_id": (row["article_id"], row["version"], row["fact_id"])},
    )


# --------------------------------------------------------------------------- command line


def register(app: Any) -> None:
    """Add ``tradefacts batch`` to the command line."""

    @app.command("batch")
    def batch_command(
        inputs: Annotated[
            list[str],
            typer.Argument(
                metavar="INPUT",
                help="JSONL or Parquet files (id, url, date, text), or folders of them.",
                show_default=False,
            ),
        ],
        out: Annotated[
            Path,
            typer.Option("--out", "-o", help="The output folder (Parquet).", show_default=False),
        ],
        engine: Annotated[
            str, typer.Option("--engine", help="local (a process pool) or spark (PySpark).")
        ] = "local",
        workers: Annotated[
            int | None,
            typer.Option(
                "--workers",
                "-w",
                min=1,
                help="Processes (local) or local[N] cores (spark); default: all cores.",
                show_default=False,
            ),
        ] = None,
        split_mb: Annotated[
            float | None,
            typer.Option(
                "--split-mb",
                min=0.001,
                help=f"Input MB per task (default: up to {SPLIT_MB}, smaller towards the end).",
                show_default=False,
            ),
        ] = None,
        spark_master: Annotated[
            str | None,
            typer.Option(
                "--spark-master",
                help="Spark master URL (default local[WORKERS]); paths must be shared.",
                show_default=False,
            ),
        ] = None,
        overwrite: Annotated[
            bool, typer.Option("--overwrite", help="Replace a previous batch output in --out.")
        ] = False,
    ) -> None:
        """Extract a large corpus in parallel into Parquet (facts, articles, errors), partitioned
        by year and language; `tradefacts ingest DIR` then loads it into the store.

        An article that fails is one row in DIR/errors (and one line on stderr); it never
        fails the job. Exit status 0 when the job finished, 1 when it could not run.
        """
        shown = 0

        def on_result(result: dict[str, Any]) -> None:
            nonlocal shown
            for line in result["error_lines"]:
                typer.echo(f"error: {line}", err=True)
            shown += len(result["error_lines"])
            hidden = result["errors"] - len(result["error_lines"])
            if hidden:
                typer.echo(
                    f"error: ... and {hidden} more in {out}/errors/part-{result['index']:05d}"
                    ".parquet",
                    err=True,
                )

        try:
            summary = run_batch(
                inputs,
                out,
                engine=engine,
                workers=workers,
                split_bytes=int(split_mb * 1_000_000) if split_mb else None,
                spark_master=spark_master,
                overwrite=overwrite,
                progress=sys.stderr.isatty(),
                on_result=on_result,
            )
        except BatchError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted: the output folder is unfinished", err=True)
            raise typer.Exit(130) from None
        typer.echo(summary.line())
