"""Bad input and bad databases: each a clear one-line error or a correct read, and nothing
already stored is lost."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tradefacts import Store
from tradefacts.ingest import MAX_ARTICLE_CHARS
from tradefacts.store import StoreError

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo"
Snapshot = Callable[[Any], dict[str, list[tuple[Any, ...]]]]

RU = (
    " date 2025-03-14 Товарооборот вырос\n"
    "В прошлом году товарооборот между Казахстаном и Узбекистаном составил 4,4 млрд долларов.\n"
)
NORMAL = {"id": "ok", "url": "https://ok.example/1", "date": "2025-01-02", "text": RU}


def _jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_binary(tmp: Path) -> Path:
    (tmp / "blob.txt").write_bytes(bytes(range(256)) * 64)
    return tmp / "blob.txt"


def make_empty(tmp: Path) -> Path:
    (tmp / "empty.txt").write_bytes(b"")
    return tmp / "empty.txt"


def make_big_text(tmp: Path) -> Path:
    p = tmp / "big.txt"
    with p.open("wb") as f:
        f.truncate(50_000_000)  # a 50 MB file, written in no time
    return p


def make_big_jsonl(tmp: Path) -> Path:
    huge = {"id": "huge", "url": "https://big.example/1", "date": None, "text": "ы " * 25_000_000}
    return _jsonl(tmp / "big.jsonl", json.dumps(huge, ensure_ascii=False), json.dumps(NORMAL))


def make_bad_line(tmp: Path) -> Path:
    return _jsonl(tmp / "lines.jsonl", '{"id": "x", "text": "unterminated', json.dumps(NORMAL))


def make_no_text(tmp: Path) -> Path:
    return _jsonl(
        tmp / "notext.jsonl", json.dumps({"id": "t", "url": "u", "text": ""}), json.dumps(NORMAL)
    )


def make_surrogate(tmp: Path) -> Path:
    # valid JSON ("\\ud800" escape) that decodes to a lone surrogate: not storable text
    bad = {"id": "s", "url": "u", "text": "Экспорт \ud800 вырос"}
    return _jsonl(tmp / "surrogate.jsonl", json.dumps(bad), json.dumps(NORMAL))


def make_missing(tmp: Path) -> Path:
    return tmp / "nowhere.txt"


# kind -> (make, what the error says or None, articles that must be read)
BAD = {
    "binary": (make_binary, "blob.txt: binary file, not text", 0),
    "empty": (make_empty, "empty.txt: empty file", 0),
    "50MB-text": (make_big_text, "big.txt: too large for one article (50.0 MB", 0),
    "50MB-jsonl": (make_big_jsonl, "https://big.example/1: too long for one article", 2),
    "not-json": (make_bad_line, "lines.jsonl:1: not JSON", 1),
    "no-text": (make_no_text, "notext.jsonl:1: record without text", 1),
    "surrogate": (
        make_surrogate,
        "surrogate.jsonl:1: text has an unpaired surrogate (\\ud800 at character 8)",
        1,
    ),
    "missing": (make_missing, "nowhere.txt: no such file or directory", 0),
}


@pytest.fixture
def base(tmp_path: Path, snapshot: Snapshot) -> tuple[Store, dict[str, Any]]:
    store = Store(tmp_path / "base.duckdb")
    store.ingest([DEMO / "articles"])
    return store, snapshot(store)


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_input_is_one_error_and_keeps_what_was_stored(
    kind: str, tmp_path: Path, base: tuple[Store, dict[str, Any]], snapshot: Snapshot
) -> None:
    store, before = base
    make, message, read = BAD[kind]
    path = make(tmp_path)
    summary = store.ingest([path])
    assert len(summary.errors) == 1, summary.errors
    assert message in summary.errors[0]
    assert "\n" not in summary.errors[0]
    assert summary.read == read
    after = snapshot(store)
    for table in ("articles", "facts"):
        assert set(before[table]) <= set(after[table])  # nothing stored is lost or changed
    if read:
        assert store.con.execute(
            "SELECT count(*) FROM articles WHERE id = 'https://ok.example/1'"
        ).fetchall() == [(1,)]
    store.close()


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-16-le"])
def test_other_encodings_read_correctly(encoding: str, tmp_path: Path) -> None:
    (tmp_path / "enc").mkdir()
    (tmp_path / "enc" / "ru.txt").write_bytes(RU.encode(encoding))
    with Store(":memory:") as store:
        s = store.ingest([tmp_path / "enc"])
        assert (s.new, s.errors) == (1, [])
        assert store.con.execute("SELECT text, lang FROM articles").fetchall() == [(RU, "ru")]
        (row,) = store.facts()
        assert (row["party_a"], row["party_b"], row["value"], row["period"]) == (
            "KAZ",
            "UZB",
            4.4e9,
            "2024",
        )
        assert RU[row["evidence_start"] : row["evidence_end"]] == row["evidence_sentence"]


def test_overlong_and_empty_documents_from_the_api(tmp_path: Path) -> None:
    from tradefacts.document import Document

    with Store(":memory:") as store:
        s = store.ingest(
            [
                Document(id="long", text="a" * (MAX_ARTICLE_CHARS + 1)),
                Document(id="blank", text=" \n", url="https://x/blank"),
            ]
        )
        assert s.read == 2 and s.new == 0
        assert "long: too long for one article" in s.errors[0]
        assert s.errors[1] == "https://x/blank: record without text"


def test_extractor_failure_is_one_error_and_the_rest_is_stored(dsl: Any) -> None:
    from tradefacts.document import Document

    with Store(":memory:") as store:
        s = store.ingest(
            [
                Document(id="a", text="FACT turnover KAZ UZB 2024 1e9 actual\n"),
                Document(id="b", text="EXPLODE\n", url="https://x/b"),
            ]
        )
        assert (s.read, s.new) == (2, 1)
        assert s.errors == ["https://x/b: extraction failed: ValueError: cannot parse this article"]


def test_url_without_sources_is_not_available_and_the_rest_goes_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tradefacts.ingest as ingest

    monkeypatch.setattr(ingest, "sources_module", lambda: (None, "URL ingestion not available"))
    (tmp_path / "a.txt").write_text(RU, encoding="utf-8")
    (tmp_path / "p.html").write_text("<html><body>x</body></html>", encoding="utf-8")
    with Store(":memory:") as store:
        s = store.ingest(["https://example.invalid/feed", tmp_path / "p.html", tmp_path / "a.txt"])
        assert s.new == 1
        assert s.errors == [
            "https://example.invalid/feed: URL ingestion not available",
            f"{tmp_path / 'p.html'}: URL ingestion not available",
        ]


# --------------------------------------------------------------------------- databases


def test_corrupt_database_file_is_one_line_and_left_alone(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    content = bytes(range(256)) * 40
    bad.write_bytes(content)
    with pytest.raises(StoreError) as e:
        Store(bad)
    assert str(e.value) == f"{bad}: not a DuckDB database file"
    assert bad.read_bytes() == content
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="not a DuckDB database file"):
        Store(text, read_only=True)


def test_other_duckdb_databases_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE articles (x INTEGER)")
    con.execute("INSERT INTO articles VALUES (42)")
    con.close()
    with pytest.raises(StoreError, match="not a tradefacts one"):
        Store(other)
    con = duckdb.connect(str(other), read_only=True)
    assert con.execute("SELECT * FROM articles").fetchall() == [(42,)]
    con.close()


def test_missing_directory_and_empty_file_paths(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path)
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    with Store(empty) as store:  # an empty file holds nothing: it becomes a new database
        assert store.stats()["articles"] == 0
    with Store(tmp_path / "new" / "sub" / "x.duckdb") as store:
        assert store.stats()["facts"] == 0
    with Store(tmp_path / "ro.duckdb") as store:
        pass
    with (
        Store(tmp_path / "ro.duckdb", read_only=True) as store,
        pytest.raises(StoreError, match="read-only"),
    ):
        store.ingest([DEMO / "articles"])


def test_database_in_use_by_another_process(tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    with Store(db):
        r = subprocess.run(
            [sys.executable, "-m", "tradefacts", "ingest", str(DEMO / "articles"), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"error: {db}: in use by another process (DuckDB allows one writer at a time)"
    ]
