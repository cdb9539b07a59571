"""Web sources: HTML pages (URLs or saved files) and RSS/Atom feeds, as Documents.

    iter_source(source, *, fetch=None) -> Iterator[Document | ReadError]
    is_source(arg) -> bool
    watch(urls, every, on_documents, *, stop=None, log=print, fetch=None) -> None
    fetch_url(url, *, timeout=10, max_bytes=20 MB) -> FetchResult   (the default fetch)

Nothing here touches the network at import. Every failure is a ReadError naming the URL or
file and the reason, in one line; nothing raises out of :func:`iter_source`.
"""

from tradefacts.sources.fetch import FetchResult, fetch_url
from tradefacts.sources.read import is_source, is_url, iter_source
from tradefacts.sources.watch import watch

__all__ = ["FetchResult", "fetch_url", "is_source", "is_url", "iter_source", "watch"]
