"""HTML pages: main text, title and date with trafilatura (never any network inside it).

A page becomes a Document whose text is the headline on the first line, then the body,
like the corpus format, so that headline facts are found; the headline is also kept in
``title``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
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
    """The article of one page, or a ReadError naming ``where`` when none can be found."""
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
        )
    except Exception as e:  # trafilatura/lxml on broken markup: report, never raise
        return ReadError(where, f"cannot parse the HTML ({type(e).__name__}: {_first_line(e)})")
    meta = result.as_dict() if result is not None and hasattr(result, "as_dict") else result
    if not isinstance(meta, dict) or not (meta.get("text") or "").strip():
        return ReadError(where, "no article text found in the page")
    title = _clean_line(meta.get("title"))
    body = clean_text(meta.get("text") or "")
    text = join_title(title, body)
    date = parse_date(meta.get("date")) or publication_date(text)
    host = urlparse(url).hostname if url else None
    sitename = _clean_line(meta.get("sitename"))
    return Document(
        id=doc_id,
        text=text,
        url=url,
        date=date,
        path=path,
        title=title,
        source=source or sitename or host,
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


def html_to_text(fragment: str) -> str:
    """The readable text of an HTML fragment (a feed entry's content), one line per block."""
    if "<" not in fragment:
        return clean_text(_unescape(fragment))
    try:
        import lxml.html

        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:
        return clean_text(_unescape(re.sub(r"<[^>]*>", " ", fragment)))
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
