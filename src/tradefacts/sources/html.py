"""HTML pages: main text, title and date with trafilatura (never any network inside it).

A page becomes a Document whose text is the headline on the first line, then the body,
like the corpus format, so that headline facts are found; the headline is also kept in
``title``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tradefacts.document import Document, ReadError
from tradefacts.extract.periods import publication_date
from tradefacts.sources.dates import parse_date

_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "section",
    "article",
    "pre",
    "figcaption",
)
_DATELINE_ZONE = 300
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # lxml refuses them
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

# trafilatura logs pages it cannot read; our ReadError says it once (unless the user
# configured these loggers)
for _name in ("trafilatura", "htmldate"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.CRITICAL)


def page_document(
    html: str,
    *,
    where: str,
    doc_id: str,
    url: str | None = None,
    path: Path | None = None,
    source: str | None = None,
) -> Document | ReadError:
    """The article of one page, or a ReadError naming ``where`` when none can be found.

    ``source`` is used when the page names no site (``og:site_name``) and has no URL.
    """
    html = _CONTROLS.sub("", html)
    if not html.strip():
        return ReadError(where, "empty page")
    try:
        import trafilatura

        result = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            as_dict=False,
            # markup only (meta, <time>, JSON-LD, URL): its free-text guesses are too
            # coarse ("2025" -> 2025-01-01); our dateline reader does the text below
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # trafilatura/lxml on broken markup: report, never raise
        return ReadError(where, f"cannot parse the HTML ({type(e).__name__}: {_first_line(e)})")
    meta = result.as_dict() if result is not None and hasattr(result, "as_dict") else result
    if not isinstance(meta, dict) or not (meta.get("text") or "").strip():
        return ReadError(where, "no article text found in the page")
    title = _clean_line(meta.get("title"))
    body = clean_text(meta.get("text") or "")
    text = join_title(title, body)
    date = parse_date(meta.get("date")) or publication_date(text) or _dateline_near(html, title)
    host = urlparse(url).hostname if url else None
    sitename = _clean_line(meta.get("sitename"))
    return Document(
        id=doc_id,
        text=text,
        url=url,
        date=date,
        path=path,
        title=title,
        source=sitename or host or source,
    )


def join_title(title: str | None, body: str) -> str:
    """Headline on the first line, then the body (without the headline said twice)."""
    if not title:
        return body
    first, _, rest = body.partition("\n")
    if _same_line(first, title):
        body = rest.lstrip("\n")
    return f"{title}\n{body}" if body else title


def _same_line(a: str, b: str) -> bool:
    return _SPACES.sub(" ", a).strip().casefold() == _SPACES.sub(" ", b).strip().casefold()


def clean_text(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _clean_line(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    line = _SPACES.sub(" ", value.replace("\n", " ")).strip()
    return line or None


def _dateline_near(html: str, title: str | None) -> dt.date | None:
    """A dateline printed next to the headline ("14 Желтоқсан 2025 ж." under the <h1>)."""
    try:
        import lxml.html

        root = lxml.html.document_fromstring(html)
    except Exception:
        return None
    body = root.find("body")
    text = _tree_text(body if body is not None else root)
    pos = text.find(title) + len(title) if title and title in text else 0
    return publication_date(text[pos : pos + _DATELINE_ZONE])


def html_to_text(fragment: str) -> str:
    """The readable text of an HTML fragment (a feed entry's content), one line per block."""
    fragment = _CONTROLS.sub("", fragment)
    if "<" not in fragment:
        return clean_text(_unescape(fragment))
    try:
        import lxml.html

        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:
        return clean_text(_unescape(re.sub(r"<[^>]*>", " ", fragment)))
    return _tree_text(root)


def _tree_text(root: Any) -> str:
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    return clean_text(root.text_content())


def _unescape(s: str) -> str:
    import html

    return html.unescape(s)


def _first_line(e: BaseException) -> str:
    s = str(e).strip()
    return s.splitlines()[0] if s else "no details"
