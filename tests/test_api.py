"""The REST API and the dashboard's pages, through FastAPI's test client, over databases
built from the demo corpus (``demo_db``; ``story_db`` adds a story and a contradiction)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")

from fastapi.testclient import TestClient  # noqa: E402

from tradefacts.api import create_app, pages  # noqa: E402
from tradefacts.api.data import PAGE_SIZE_MAX  # noqa: E402
from tradefacts.api.pages import plotly_file  # noqa: E402
from tradefacts.store import Store  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PAGES = (
    "/",
    "/pairs/KAZ/UZB",
    "/facts",
    "/facts?party=KAZ&indicator=turnover",
    "/targets",
    "/stories",
    "/contradictions",
)


@pytest.fixture(scope="module")
def client(demo_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(demo_db)) as c:
        yield c


@pytest.fixture(scope="module")
def story_client(story_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(story_db)) as c:
        yield c


def _ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["fact_id"] for r in rows]


def _store(path: Path) -> Store:
    return Store(path, read_only=True)


# --------------------------------------------------------------------------- facts


@pytest.mark.parametrize(
    "params, filters",
    [
        ({}, {}),
        ({"party": "KAZ", "partner": "UZB"}, {"party": "KAZ", "partner": "UZB"}),
        ({"party": "kaz,uzb"}, {"party": ["KAZ", "UZB"]}),
        (
            {"indicator": "export,import", "lang": "uz"},
            {"indicator": "export,import", "lang": "uz"},
        ),
        ({"status": "target"}, {"status": "target"}),
        ({"since": 2025}, {"since": 2025}),
        ({"until": 2024, "party": "KGZ"}, {"until": 2024, "party": "KGZ"}),
    ],
)
def test_facts_are_the_stores_facts(
    client: TestClient, demo_db: Path, params: dict[str, Any], filters: dict[str, Any]
) -> None:
    r = client.get("/api/facts", params={**params, "page_size": PAGE_SIZE_MAX})
    assert r.status_code == 200, r.text
    body = r.json()
    with _store(demo_db) as store:
        expected = store.facts(**filters)
    assert expected, "each filter must match something in the demo corpus"
    assert body["total"] == len(expected)
    assert _ids(body["items"]) == _ids(expected)
    first = body["items"][0]
    assert first["evidence_sentence"] == expected[0]["evidence_sentence"]
    assert first["value"] == expected[0]["value"]


def test_facts_pages(client: TestClient, demo_db: Path) -> None:
    with _store(demo_db) as store:
        everything = _ids(store.facts())
    seen: list[str] = []
    page = 1
    while True:
        body = client.get("/api/facts", params={"page": page, "page_size": 7}).json()
        assert body["total"] == len(everything)
        assert body["page"] == page and body["page_size"] == 7
        if not body["items"]:
            break
        assert len(body["items"]) <= 7
        seen += _ids(body["items"])
        page += 1
    assert seen == everything
    assert page == -(-len(everything) // 7) + 1


def test_page_size_is_capped(client: TestClient) -> None:
    r = client.get("/api/facts", params={"page_size": PAGE_SIZE_MAX + 1})
    assert r.status_code == 422
    assert str(PAGE_SIZE_MAX) in r.json()["detail"]
    assert client.get("/api/facts", params={"page_size": PAGE_SIZE_MAX}).status_code == 200
    default = client.get("/api/facts").json()
    assert default["page_size"] <= PAGE_SIZE_MAX


@pytest.mark.parametrize(
    "url, words",
    [
        ("/api/facts?party=K1Z", ["party", "K1Z"]),
        ("/api/facts?party=KAZ,", ["party"]),
        ("/api/facts?partner=toolongcode", ["partner"]),
        ("/api/facts?indicator=gdp", ["indicator", "gdp", "turnover"]),
        ("/api/facts?status=rumour", ["status", "actual"]),
        ("/api/facts?lang=123", ["lang"]),
        ("/api/facts?since=2025&until=2020", ["since", "until"]),
        ("/api/facts?since=20", ["since"]),
        ("/api/facts?page=0", ["page"]),
        ("/api/facts?page_size=0", ["page_size"]),
        ("/api/claims?min_sources=0", ["min_sources"]),
        ("/api/claims?period=last%20year", ["period"]),
        ("/api/claims?since=2026&until=2025", ["since"]),
        ("/api/contradictions?indicator=gdp", ["indicator"]),
        ("/api/stories?min_articles=0", ["min_articles"]),
        ("/api/stories?party=1", ["party"]),
        ("/api/timeline?a=KAZ", ["b"]),
        ("/api/timeline?a=KAZ&b=U", ["b"]),
        ("/api/timeline?a=KAZ,UZB&b=RUS", ["a"]),
        ("/api/targets?as_of=yesterday", ["as_of"]),
        ("/api/targets?indicator=gdp", ["indicator"]),
        ("/api/articles/articles%2F001_kk_kaz_uzb_turnover.txt?version=0", ["version"]),
    ],
)
def test_invalid_parameters_are_422_with_a_message(
    client: TestClient, url: str, words: list[str]
) -> None:
    r = client.get(url)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail
    for word in words:
        assert word in detail, (word, detail)
    assert "Traceback" not in r.text


def test_one_fact_with_its_claim(story_client: TestClient, story_db: Path) -> None:
    with _store(story_db) as store:
        row = next(
            f
            for f in store.facts(party="KAZ", partner="UZB", indicator="turnover", status="actual")
            if f["period"] == "2024" and f["lang"] == "kk"
        )
    body = story_client.get(f"/api/facts/{row['fact_id']}").json()
    assert body["evidence_sentence"] == row["evidence_sentence"]
    assert body["claim"]["n_sources"] == 2
    assert {s["lang"] for s in body["claim"]["sources"]} == {"kk", "ru"}
    assert body["claim"]["disputed"] is True
    assert body["story_id"]
    for bad in ("0000000000000000", "not-a-fact", "x" * 90):
        r = story_client.get(f"/api/facts/{bad}")
        assert r.status_code == 404 and r.json()["detail"]


def test_facts_csv(client: TestClient, demo_db: Path) -> None:
    r = client.get("/api/facts.csv", params={"party": "KAZ", "indicator": "turnover"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    lines = r.content.decode("utf-8-sig").splitlines()
    with _store(demo_db) as store:
        expected = store.facts(party="KAZ", indicator="turnover")
    assert lines[0].startswith("fact_id,article_id,version,")
    assert len(lines) == 1 + len(expected)
    assert [line.split(",")[0] for line in lines[1:]] == _ids(expected)
    assert client.get("/api/facts.csv", params={"indicator": "gdp"}).status_code == 422


# --------------------------------------------------------------------------- reconciled


def test_claims(story_client: TestClient, story_db: Path) -> None:
    body = story_client.get("/api/claims", params={"min_sources": 2}).json()
    with _store(story_db) as store:
        expected = store.claims(min_sources=2)
    assert body["total"] == len(expected) > 0
    assert [c["claim_id"] for c in body["items"]] == [c["claim_id"] for c in expected]
    assert all(len(c["sources"]) >= 2 for c in body["items"])
    lean = story_client.get("/api/claims", params={"min_sources": 2, "sources": False}).json()
    assert all("sources" not in c for c in lean["items"])
    page = story_client.get("/api/claims", params={"page": 2, "page_size": 3}).json()
    everything = story_client.get("/api/claims", params={"page_size": 500}).json()
    assert [c["claim_id"] for c in page["items"]] == [
        c["claim_id"] for c in everything["items"][3:6]
    ]
    disputed = story_client.get("/api/claims", params={"disputed": True}).json()
    assert disputed["total"] == 2 and all(c["disputed"] for c in disputed["items"])


def test_contradictions(client: TestClient, story_client: TestClient) -> None:
    assert client.get("/api/contradictions").json()["total"] == 0
    body = story_client.get("/api/contradictions", params={"party": "UZB"}).json()
    assert body["total"] == 1
    x = body["items"][0]
    assert (x["indicator"], x["party_a"], x["party_b"], x["period"]) == (
        "turnover",
        "KAZ",
        "UZB",
        "2024",
    )
    assert {x["value_a"], x["value_b"]} == {4.4e9, 4.9e9}
    assert x["evidence_a"] and x["evidence_b"]
    assert story_client.get("/api/contradictions", params={"party": "CHN"}).json()["total"] == 0


def test_stories(client: TestClient, story_client: TestClient) -> None:
    assert client.get("/api/stories").json()["total"] == 0
    body = story_client.get("/api/stories").json()
    assert body["total"] == 1
    story = body["items"][0]
    assert sorted(story["languages"]) == ["kk", "ru"]
    detail = story_client.get(f"/api/stories/{story['story_id']}").json()
    assert [m["lang"] for m in detail["members"]] == ["kk", "ru"]
    shared = [r for r in detail["rows"] if r["articles"] == 2]
    assert len(shared) >= 4
    for row in shared:
        kk, ru = row["cells"]
        assert kk[0]["value"] == ru[0]["value"]
        assert kk[0]["lang"] == "kk" and ru[0]["lang"] == "ru"
        assert kk[0]["evidence_sentence"] != ru[0]["evidence_sentence"]
    for bad in ("s000000000000000", "nope"):
        r = story_client.get(f"/api/stories/{bad}")
        assert r.status_code == 404 and r.json()["detail"]


def test_timeline(client: TestClient, demo_db: Path) -> None:
    body = client.get("/api/timeline", params={"a": "uzb", "b": "kaz"}).json()
    assert (body["a"], body["b"]) == ("UZB", "KAZ")
    with _store(demo_db) as store:
        expected = json.loads(json.dumps(store.timeline("UZB", "KAZ"), default=str))
    assert body["series"] == expected
    turnover = next(s for s in body["series"] if s["indicator"] == "turnover")
    assert [(y["year"], y["value"]) for y in turnover["years"]] == [(2024, 4.4e9)]
    assert turnover["partial"][0]["label"] == "Jan-Sep"
    only = client.get("/api/timeline", params={"a": "KAZ", "b": "UZB", "indicator": "export"})
    assert {s["indicator"] for s in only.json()["series"]} == {"export"}
    empty = client.get("/api/timeline", params={"a": "KAZ", "b": "USA"}).json()
    assert empty["series"] == []


def test_targets(client: TestClient, demo_db: Path) -> None:
    body = client.get("/api/targets", params={"as_of": "2026-03-01"}).json()
    assert body["as_of"] == "2026-03-01"
    with _store(demo_db) as store:
        expected = store.targets(as_of="2026-03-01")
    assert [t["claim_id"] for t in body["items"]] == [t["claim_id"] for t in expected]
    kaz_uzb = next(t for t in body["items"] if (t["party_a"], t["party_b"]) == ("KAZ", "UZB"))
    assert kaz_uzb["target"] == 10e9 and kaz_uzb["deadline"] == 2030
    assert kaz_uzb["progress_pct"] == pytest.approx(44.0)
    late = client.get("/api/targets", params={"as_of": "2031-01-01", "party": "KAZ"}).json()
    assert {t["verdict"] for t in late["items"] if t["deadline"] == 2030} == {"expired"}
    today = client.get("/api/targets").json()
    assert today["as_of"] == dt.date.today().isoformat()


def test_pairs_overview(client: TestClient) -> None:
    rows = client.get("/api/pairs", params={"as_of": "2026-03-01"}).json()
    kaz_uzb = next(r for r in rows if (r["a"], r["b"]) == ("KAZ", "UZB"))
    assert kaz_uzb["turnover"]["year"]["value"] == 4.4e9
    assert kaz_uzb["turnover"]["year"]["year"] == 2024
    assert kaz_uzb["turnover"]["partial"]["label"] == "Jan-Sep"
    assert kaz_uzb["open_targets"] == 1
    assert kaz_uzb["sources"] == 2
    eaeu = next(r for r in rows if (r["a"], r["b"]) == ("EAEU", "EAEU"))
    assert eaeu["turnover"]["change_pct"] == pytest.approx(3.1)
    assert eaeu["turnover"]["change_from"] == "stated"
    usd = [r["turnover"]["year"]["value"] for r in rows if r["turnover"] and r["turnover"]["year"]]
    assert usd == sorted(usd, reverse=True)


# --------------------------------------------------------------------------- articles


def test_article_with_evidence_spans(client: TestClient, demo_db: Path) -> None:
    article_id = "articles/001_kk_kaz_uzb_turnover.txt"
    r = client.get("/api/articles/" + quote(article_id, safe=""))
    assert r.status_code == 200, r.text
    body = r.json()
    with _store(demo_db) as store:
        text = store.con.execute(
            "SELECT text FROM articles WHERE id = ? AND NOT superseded", [article_id]
        ).fetchall()[0][0]
        facts = store.facts(party="KAZ", partner="UZB", lang="kk")
    assert body["text"] == text
    assert body["lang"] == "kk" and body["published"] == "2025-10-14"
    assert len(body["facts"]) == len(facts) == 5
    covered = {fid for span in body["spans"] for fid in span["fact_ids"]}
    assert covered == {f["fact_id"] for f in facts}
    for f in body["facts"]:
        assert text[f["evidence_start"] : f["evidence_end"]] == f["evidence_sentence"]
        spans = [s for s in body["spans"] if f["fact_id"] in s["fact_ids"]]
        assert "".join(text[s["start"] : s["end"]] for s in spans) == f["evidence_sentence"]


def test_article_known_by_url(client: TestClient) -> None:
    url = "https://example.org/demo/kazakhstan-turkmenistan-q1"
    body = client.get("/api/articles/" + quote(url, safe="")).json()
    assert body["id"] == url and body["lang"] == "ru"
    assert body["versions"][0]["version"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/nope",
        "/api/articles/articles%2F001_kk_kaz_uzb_turnover.txt?version=9",
        "/api/articles/%00",
        "/api/articles/",
    ],
)
def test_unknown_article_is_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["detail"]


# --------------------------------------------------------------------------- read-only, ingest


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_only_by_default(demo_db: Path) -> None:
    before = _digest(demo_db)
    with TestClient(create_app(demo_db)) as c:
        assert c.post("/api/ingest", json={"articles": []}).status_code == 404
        assert "/api/ingest" not in c.get("/openapi.json").json()["paths"]
        for method in ("post", "put", "delete", "patch"):
            r = getattr(c, method)("/api/facts")
            assert r.status_code == 405 and r.json()["detail"]
        for url in PAGES:
            assert c.get(url).status_code == 200
    assert _digest(demo_db) == before


def _doc(i: int, value: str = "2,5") -> dict[str, Any]:
    return {
        "id": f"t{i}",
        "date": "2025-12-01",
        "text": f"Товарооборот между Казахстаном и Узбекистаном в 2025 году составил {value} "
        "млрд долларов.",
    }


@pytest.fixture
def writable_db(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db, path)
    return path


def test_ingest_needs_the_token(writable_db: Path) -> None:
    before = _digest(writable_db)
    with TestClient(create_app(writable_db, token="s3cret")) as c:
        assert "/api/ingest" in c.get("/openapi.json").json()["paths"]
        body = {"articles": [_doc(1)]}
        r = c.post("/api/ingest", json=body)
        assert r.status_code == 401 and "token" in r.json()["detail"]
        r = c.post("/api/ingest", json=body, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 403 and r.json()["detail"]
        r = c.post("/api/ingest", json=body, headers={"Authorization": "Basic s3cret"})
        assert r.status_code == 401
        assert c.get("/api/articles/api%2Ft1").status_code == 404  # nothing was stored
    assert _digest(writable_db) == before


def test_ingest_with_the_token(writable_db: Path) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    query = {
        "party": "KAZ",
        "partner": "UZB",
        "since": 2025,
        "until": 2025,
        "indicator": "turnover",
    }
    with TestClient(create_app(writable_db, token="s3cret")) as c:
        before = c.get("/api/facts", params=query).json()["total"]
        assert c.get("/").status_code == 200  # a read keeps the database loaded
        r = c.post("/api/ingest", json={"articles": [_doc(1)]}, headers=auth)
        assert r.status_code == 200, r.text
        result = r.json()
        assert (result["read"], result["new"], result["errors"]) == (1, 1, [])
        assert result["articles"] == ["api/t1"]
        facts = c.get("/api/facts", params=query).json()
        assert facts["total"] == before + 1
        assert any(f["article_id"] == "api/t1" and f["value"] == 2.5e9 for f in facts["items"])
        again = c.post("/api/ingest", json={"articles": [_doc(1)]}, headers=auth).json()
        assert (again["new"], again["unchanged"]) == (0, 1)
        changed = c.post("/api/ingest", json={"articles": [_doc(1, "2,6")]}, headers=auth).json()
        assert changed["new_versions"] == 1
        article = c.get("/api/articles/api%2Ft1").json()
        assert article["version"] == 2 and len(article["versions"]) == 2
        bad = c.post("/api/ingest", json={"articles": [{"id": "x"}]}, headers=auth)
        assert bad.status_code == 422 and "text" in bad.json()["detail"]
        bad = c.post("/api/ingest", content=b"{not json", headers=auth)
        assert bad.status_code == 422 and bad.json()["detail"]
    with Store(writable_db, read_only=True) as store:
        assert store.facts(party="KAZ", partner="UZB", since=2025, until=2025,
                           indicator="turnover")[-1]["value"] == 2.6e9  # fmt: skip


def test_oversized_bodies_are_413(writable_db: Path) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    big = {"articles": [{**_doc(i), "text": "Слово " * 400} for i in range(10)]}
    with TestClient(create_app(writable_db, token="s3cret", max_body=10_000)) as c:
        r = c.post("/api/ingest", json=big, headers=auth)
        assert r.status_code == 413 and "10,000" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            data = json.dumps(big).encode()
            for i in range(0, len(data), 4096):
                yield data[i : i + 4096]

        r = c.post("/api/ingest", content=chunks(), headers=auth)
        assert r.status_code == 413
        small = c.post("/api/ingest", json={"articles": [_doc(2)]}, headers=auth)
        assert small.status_code == 200
        assert c.get("/api/facts", params={"page_size": 1}).status_code == 200


def test_busy_database_is_503(writable_db: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('locked', flush=True); time.sleep(60)", str(writable_db)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        app = create_app(writable_db, check=False, keep_open=0)
        with TestClient(app) as c:
            r = c.get("/api/facts")
            assert r.status_code == 503 and r.json()["detail"]
            assert c.get("/").status_code == 503
    finally:
        holder.kill()
        holder.wait()


def test_an_old_database_says_what_to_do(writable_db: Path) -> None:
    import duckdb

    from tradefacts.reconcile.engine import RECONCILE_TABLES

    con = duckdb.connect(str(writable_db))
    for table in RECONCILE_TABLES:
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    with TestClient(create_app(writable_db, check=False)) as c:
        assert c.get("/api/facts").status_code == 200
        r = c.get("/api/claims")
        assert r.status_code == 503 and "tradefacts reconcile" in r.json()["detail"]
        assert c.get("/").status_code == 503


def test_concurrent_reads(client: TestClient) -> None:
    statuses: list[int] = []

    def work() -> None:
        for url in ("/api/facts", "/", "/api/pairs"):
            statuses.append(client.get(url).status_code)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 18


# --------------------------------------------------------------------------- pages


def test_overview_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    row = re.search(r'<tr data-pair="KAZ-UZB">(.*?)</tr>', html, re.S)
    assert row, "the KAZ-UZB pair is listed"
    cells = row.group(1)
    assert 'href="/pairs/KAZ/UZB"' in cells
    assert "4.4 bn USD" in cells and "(2024)" in cells
    assert "Jan-Sep 2025: &gt;3.2 bn USD" in cells
    assert "10 bn USD by 2030" in cells


def _figures(html: str) -> dict[str, dict[str, Any]]:
    found = re.findall(r'<script type="application/json" id="([^"]+)-data">(.*?)</script>', html)
    return {name: json.loads(body) for name, body in found}


def test_pair_page_chart(story_client: TestClient) -> None:
    r = story_client.get("/pairs/UZB/KAZ")
    assert r.status_code == 200
    html = r.text
    # Plotly.js is not a script of the page (app.js fetches it once the page has loaded)
    assert '<script src="/vendor/' not in html
    assert re.search(
        r'<script src="/static/app\.js\?v=[^"]+" data-plotly="/vendor/plotly-basic-[^"]+'
        r'\.min\.js" defer>',
        html,
    )
    figures = _figures(html)
    assert list(figures)[0] == "chart-turnover-USD"
    traces = {t["meta"]["kind"]: t for t in figures["chart-turnover-USD"]["data"]}
    years = traces["years"]
    assert years["y"] == [4.4e9] and years["x"] == ["2024-07-01"]
    assert years["marker"]["symbol"] == ["circle"]
    fact_href = years["customdata"][0][4]
    assert fact_href.startswith("/facts/") and f'href="{fact_href}"' in html
    partial = traces["partial"]
    assert partial["y"] == [3.2e9] and partial["marker"]["symbol"] == ["triangle-up"]
    assert "rgba" in partial["marker"]["color"]  # a lighter tone
    line, goal = traces["target-line"], traces["target"]
    assert line["line"]["dash"] == "dash" and line["hoverinfo"] == "skip"
    assert line["x"] == ["2024-07-01", "2030-07-01"] and line["y"] == [4.4e9, 10e9]
    assert goal["x"] == ["2030-07-01"] and goal["y"] == [10e9]
    assert goal["marker"]["symbol"] == "star" and goal["customdata"][0][4].startswith("/facts/")
    assert traces["disputed"]["y"] == [4.9e9]
    assert 'role="progressbar"' in html and 'aria-valuenow="44"' in html
    assert story_client.get("/pairs/KAZ/USA").status_code == 404
    assert story_client.get("/pairs/KAZ/U1").status_code == 422


def test_fact_and_article_pages(story_client: TestClient, story_db: Path) -> None:
    with _store(story_db) as store:
        f = next(
            x
            for x in store.facts(party="KAZ", partner="UZB", indicator="turnover", lang="kk")
            if x["period"] == "2024"
        )
    html = story_client.get(f"/facts/{f['fact_id']}").text
    assert f'lang="kk">{f["evidence_sentence"]}</blockquote>' in html
    link = re.search(r'<a class="button" id="to-article" href="([^"]+)"', html)
    assert link
    href = link.group(1).replace("&amp;", "&")
    article = story_client.get(href)
    assert article.status_code == 200
    mark = re.search(
        r'<mark class="evidence current" id="evidence"[^>]*>(.*?)</mark>', article.text
    )
    assert mark and mark.group(1) == f["evidence_sentence"]
    assert '<article class="text" id="article-text" lang="kk">' in article.text
    with _store(story_db) as store:
        sentences = {
            x["evidence_start"] for x in store.facts() if x["article_id"] == f["article_id"]
        }
    assert article.text.count('<mark class="evidence') == len(sentences) == 4
    assert story_client.get("/facts/0000000000000000").status_code == 404
    assert story_client.get("/articles/nope").status_code == 404


def test_story_and_contradictions_pages(story_client: TestClient) -> None:
    stories = story_client.get("/stories").text
    link = re.search(r'href="(/stories/s[0-9a-f]{15})"', stories)
    assert link
    html = story_client.get(link.group(1)).text
    assert html.count('class="member"') == 2
    assert 'lang="kk"' in html and 'lang="ru"' in html
    assert "Стороны намерены довести его до 10 млрд долларов к 2030 году." in html
    contradictions = story_client.get("/contradictions").text
    assert "4.4 bn USD" in contradictions and "4.9 bn USD" in contradictions
    assert contradictions.count('class="side side-') == 2


def test_facts_page_filters_and_csv_link(client: TestClient, demo_db: Path) -> None:
    html = client.get("/facts", params={"party": "KAZ", "indicator": "turnover", "since": ""}).text
    with _store(demo_db) as store:
        expected = store.facts(party="KAZ", indicator="turnover")
    assert f"{len(expected)} facts" in html
    assert html.count("<tr data-fact=") == len(expected)
    csv_link = re.search(r'<a class="button" id="csv" href="([^"]+)"', html)
    assert csv_link
    r = client.get(csv_link.group(1).replace("&amp;", "&"))
    assert r.status_code == 200 and len(r.text.splitlines()) == len(expected) + 1


def test_bad_page_parameters_give_an_html_page(client: TestClient) -> None:
    r = client.get("/facts", params={"indicator": "gdp"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "indicator" in r.text and "Traceback" not in r.text
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "no such page" in r.text


def test_pages_are_fast(client: TestClient, story_client: TestClient) -> None:
    for c in (client, story_client):
        for url in (*PAGES, "/stories/" + "s" + "0" * 15, "/api/facts", "/api/pairs"):
            c.get(url)  # warm
        for url in PAGES:
            best = min(_timed(c, url) for _ in range(3))
            assert best < 0.3, f"{url}: {best * 1000:.0f} ms"


def _timed(c: TestClient, url: str) -> float:
    started = time.perf_counter()
    assert c.get(url).status_code == 200
    return time.perf_counter() - started


# --------------------------------------------------------------------------- offline, docs


def test_no_file_comes_from_the_internet(story_client: TestClient) -> None:
    pattern = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', re.I)
    for url in (*PAGES, "/docs", "/redoc"):
        html = story_client.get(url).text
        assert not pattern.search(html), url
    docs = story_client.get("/docs").text
    assert "/static/docs/swagger-ui-bundle.js" in docs
    for asset in ("/static/docs/swagger-ui-bundle.js", "/static/docs/swagger-ui.css",
                  "/static/docs/redoc.standalone.js", "/static/style.css", "/static/app.js"):  # fmt: skip
        assert story_client.get(asset).status_code == 200, asset


def _plotly_served(client: TestClient) -> tuple[str, bytes]:
    """The URL of Plotly.js on a pair page and what it serves, checked on the way."""
    html = client.get("/pairs/KAZ/UZB").text
    src = re.search(r'data-plotly="(/vendor/plotly-[^"]+)"', html)
    assert src
    r = client.get(src.group(1), headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert "immutable" in r.headers["cache-control"]
    plain = client.get(src.group(1), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == r.content
    packed = client.get(src.group(1), headers={"Accept-Encoding": "gzip"}, extensions={})
    assert packed.headers["content-encoding"] == "gzip"
    again = client.get(src.group(1), headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    return src.group(1), r.content  # the client un-gzips it


def test_plotly_is_the_vendored_basic_bundle(client: TestClient) -> None:
    url, content = _plotly_served(client)
    assert content == pages.VENDORED_PLOTLY.read_bytes()
    lock = json.loads((REPO / "js" / "package-lock.json").read_text(encoding="utf-8"))
    version = lock["packages"]["node_modules/plotly.js-basic-dist-min"]["version"]
    assert url == f"/vendor/plotly-basic-{version}.min.js"
    assert f"plotly.js (basic - minified) v{version}" in content[:200].decode()
    assert len(content) < 2_000_000  # not the full bundle (4.8 MB)
    licence = pages.VENDORED_PLOTLY.with_name("plotly-basic.LICENSE.txt").read_text()
    assert "MIT" in licence or "Permission is hereby granted" in licence


def test_plotly_falls_back_to_the_plotly_package(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the vendored file, the full bundle of the installed plotly package."""
    monkeypatch.setattr(pages, "VENDORED_PLOTLY", tmp_path / "plotly-basic.min.js")
    pages.plotly_bundle.cache_clear()
    try:
        with TestClient(create_app(demo_db)) as c:
            url, content = _plotly_served(c)
        assert url == f"/vendor/plotly-{pages.plotly_version()}.min.js"
        assert content == plotly_file().read_bytes()
    finally:
        monkeypatch.undo()
        pages.plotly_bundle.cache_clear()


def test_openapi(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/facts", "/api/claims", "/api/contradictions", "/api/stories",
                 "/api/timeline", "/api/targets", "/api/articles/{article_id}"):  # fmt: skip
        assert path in schema["paths"], path
    page_size = next(
        p for p in schema["paths"]["/api/facts"]["get"]["parameters"] if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == PAGE_SIZE_MAX
    assert "/" not in schema["paths"]  # the dashboard's pages are not API


# --------------------------------------------------------------------------- the command


def test_serve_refuses_a_missing_database(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "tradefacts", "serve", "--db", str(tmp_path / "none.duckdb")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and "no such database" in r.stderr
    assert "Traceback" not in r.stderr


def test_serve(demo_db: Path) -> None:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradefacts", "serve", "--db", str(demo_db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats", timeout=2) as r:
                    stats = json.loads(r.read())
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert stats["articles"] == 13
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=5) as r:
            assert b"swagger-ui" in r.read()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert f"http://localhost:{port}/" in err
