"""The database behind the API: read-only per request, one writer at a time for ingest.

Each request opens the DuckDB file read-only (a ``Store(path, read_only=True)``) and
closes it when done. While requests come, one more read-only connection stays open so
that DuckDB keeps the database loaded and each open costs a few milliseconds instead of
tens; it is closed ``keep_open`` seconds after the last request, and then the file is
free: ``tradefacts ingest`` or ``watch`` can write it (a request that finds it locked by
another process gets 503). ``POST /api/ingest`` waits for the reads in flight, closes
that connection, opens the file for writing, ingests and closes it; reads wait for it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import duckdb

from tradefacts.api.data import ApiError
from tradefacts.store import Store, StoreError

#: seconds the database stays loaded after the last request
KEEP_OPEN = 5.0


class _Gate:
    """Many readers or one writer (writers first, so a stream of reads cannot starve one)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


_OPEN: weakref.WeakSet[Database] = weakref.WeakSet()


@atexit.register
def _release_all() -> None:
    """Close what is still open when the interpreter exits (a server stopped by a signal)."""
    for db in list(_OPEN):
        db.release()


class Database:
    """The DuckDB file the app serves."""

    def __init__(self, path: str | os.PathLike[str], *, keep_open: float = KEEP_OPEN) -> None:
        self.path = Path(path)
        self.keep_open = keep_open
        self._gate = _Gate()
        self._lock = threading.Lock()
        self._keeper: duckdb.DuckDBPyConnection | None = None
        self._last_used = 0.0
        self._reaper: threading.Thread | None = None
        _OPEN.add(self)

    def check(self) -> None:
        """Open it once (read-only): a missing or foreign file fails here, with
        ``StoreError``. Also warms up what the first query of a process pays for."""
        with Store(self.path, read_only=True) as store:
            store.claims(limit=1)
            store.stats()

    @contextlib.contextmanager
    def read(self) -> Iterator[Store]:
        """A read-only ``Store`` for one request."""
        with self._gate.shared():
            self._keep()
            store = self._open(read_only=True)
            try:
                yield store
            finally:
                store.close()
                self._last_used = time.monotonic()

    @contextlib.contextmanager
    def write(self) -> Iterator[Store]:
        """A writable ``Store``, once every read in flight is done (reads wait for it)."""
        with self._gate.exclusive():
            self.release()
            store = self._open(read_only=False)
            try:
                yield store
            finally:
                store.close()

    def release(self) -> None:
        """Close the connection that keeps the database loaded (if open)."""
        with self._lock:
            if self._keeper is not None:
                with contextlib.suppress(duckdb.Error):
                    self._keeper.close()
                self._keeper = None

    def _keep(self) -> None:
        if self.keep_open <= 0:
            return
        with self._lock:
            if self._keeper is None:
                try:
                    self._keeper = duckdb.connect(str(self.path), read_only=True)
                except duckdb.Error:
                    return  # the Store open that follows says why
            if self._reaper is None:
                self._reaper = threading.Thread(target=self._reap, daemon=True)
                self._reaper.start()

    def _reap(self) -> None:
        """Close the keeper once no request came for ``keep_open`` seconds."""
        while True:
            time.sleep(min(1.0, self.keep_open))
            if time.monotonic() - self._last_used < self.keep_open:
                continue
            with self._gate.exclusive():
                if time.monotonic() - self._last_used >= self.keep_open:
                    self.release()
                    with self._lock:
                        self._reaper = None
                    return

    def _open(self, *, read_only: bool) -> Store:
        try:
            return Store(self.path, read_only=read_only)
        except StoreError as e:
            text = str(e)
            if "in use" in text or "lock" in text.lower():
                raise ApiError(503, f"the database is busy ({text}); try again") from None
            raise ApiError(503, f"the database cannot be opened: {text}") from None
