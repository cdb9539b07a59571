"""Fetching a URL: urllib with a timeout, a size cap, gzip, and one-line errors.

Every failure is a :class:`~tradefacts.document.ReadError` naming the URL and the reason
("HTTP 404 Not Found", "timed out after 10 s", "DNS lookup failed for example.kz").
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from email.message import Message
from typing import NamedTuple

from tradefacts import __version__
from tradefacts.document import ReadError, decode_bytes

DEFAULT_TIMEOUT = 10.0
MAX_BYTES = 20 * 1024 * 1024
USER_AGENT = f"tradefacts/{__version__} (trade news reader; Python urllib)"
_CHUNK = 64 * 1024


class FetchResult(NamedTuple):
    """What a fetch returns; ``content`` may be given as text by a stand-in fetch."""

    url: str  # after redirects
    status: int
    content_type: str  # the full header value, e.g. "text/html; charset=windows-1251"
    content: bytes | str

    @property
    def mime(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", self.content_type, re.I)
        return m.group(1).lower() if m else None

    @property
    def data(self) -> bytes:
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content

    def text(self) -> str:
        """The content decoded: header charset, else ``<meta>`` charset, else detection."""
        if isinstance(self.content, str):
            return self.content
        return decode_html(self.content, self.charset, self.url)


def fetch_url(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    user_agent: str = USER_AGENT,
) -> FetchResult:
    """GET ``url``; raise :class:`ReadError` on any failure (HTTP status >= 400 included).

    ``timeout`` bounds every socket operation, and the download is abandoned once it has
    taken longer (DNS lookups are left to the system resolver).
    """
    if not re.match(r"https?://", url, re.I):
        raise ReadError(url, "not an http(s) URL")
    req = urllib.request.Request(
        url,
        headers={
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml,application/rss+xml,"
            "application/atom+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
        },
    )
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            headers: Message = resp.headers
            encoding = (headers.get("Content-Encoding") or "").strip().lower()
            length = headers.get("Content-Length")
            if (
                length
                and length.isdigit()
                and encoding in ("", "identity")
                and int(length) > max_bytes
            ):
                raise ReadError(url, f"larger than {_size(max_bytes)}")
            chunks: list[bytes] = []
            total = 0
            while True:
                if time.monotonic() > deadline:
                    raise ReadError(url, f"timed out after {timeout:g} s")
                try:
                    chunk = resp.read(_CHUNK)
                except http.client.IncompleteRead as e:  # retrying gets the whole page
                    got = total + len(e.partial)
                    expected = f" of {got + e.expected}" if e.expected is not None else ""
                    raise ReadError(url, f"connection closed after {got}{expected} bytes") from None
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > max_bytes:
                    raise ReadError(url, f"larger than {_size(max_bytes)}")
            if length and length.isdigit() and total < int(length):  # retrying gets it all
                raise ReadError(url, f"connection closed after {total} of {length} bytes")
            body = _decompress(b"".join(chunks), encoding, max_bytes, url)
            return FetchResult(
                url=resp.geturl(),
                status=resp.status,
                content_type=headers.get("Content-Type") or "",
                content=body,
            )
    except ReadError:
        raise
    except urllib.error.HTTPError as e:
        e.close()  # it holds the connection
        raise ReadError(url, f"HTTP {e.code} {e.reason}".rstrip()) from None
    except urllib.error.URLError as e:
        raise ReadError(url, _reason(e.reason, url, timeout)) from None
    except TimeoutError as e:
        raise ReadError(url, _reason(e, url, timeout)) from None
    except (OSError, ValueError, http.client.HTTPException) as e:
        raise ReadError(url, _reason(e, url, timeout)) from None


def _reason(err: object, url: str, timeout: float) -> str:
    """One line for a network error."""
    host = urllib.request.urlparse(url).hostname or url
    if isinstance(err, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(err, socket.gaierror):
        return f"DNS lookup failed for {host}"
    if isinstance(err, ConnectionRefusedError):
        return f"connection refused by {host}"
    if isinstance(err, ConnectionResetError):
        return "connection reset"
    if isinstance(err, ssl.SSLError):
        return f"TLS error: {err.reason or err}"
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]


def _decompress(body: bytes, encoding: str, max_bytes: int, url: str) -> bytes:
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise ReadError(url, f"unsupported Content-Encoding {encoding!r}")
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        d = zlib.decompressobj(wbits)
        out = d.decompress(body, max_bytes + 1)
    except zlib.error:
        if encoding != "deflate":
            raise ReadError(url, "corrupt gzip data") from None
        try:  # raw deflate without the zlib header, as some servers send
            d = zlib.decompressobj(-zlib.MAX_WBITS)
            out = d.decompress(body, max_bytes + 1)
        except zlib.error:
            raise ReadError(url, "corrupt deflate data") from None
    if len(out) > max_bytes:
        raise ReadError(url, f"larger than {_size(max_bytes)} uncompressed")
    return out


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"


# ------------------------------------------------------------------- charsets

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.I,
)


def sniff_charset(data: bytes) -> str | None:
    """The charset a page or feed declares in its first 4 KB (``<meta>``, XML declaration)."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    return (m.group(1) or m.group(2)).decode("ascii").lower()


def decode_html(data: bytes, charset: str | None = None, where: str = "") -> str:
    """Decode a page: the declared charset when it decodes cleanly, else UTF-8 / cp1251.

    Raise :class:`ReadError` for binary or empty content.
    """
    for name in (charset, sniff_charset(data)):
        if not name:
            continue
        try:
            return data.decode(name).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return decode_bytes(data)
    except ValueError as e:
        raise ReadError(where, str(e)) from None
