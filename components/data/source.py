"""A data folder in service: new versions are read in the background and swapped in whole."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd

from components.data.cache import ParsedCache
from components.data.parse import parse_bytes
from components.data.rows import empty_frame
from components.data.schema import SCHEMAS, SETTLE_SECONDS, Problem, Schema
from components.data.snapshot import VIEW_CACHE_SIZE, Dataset, FileState


def find_file(folder: Path, file: str) -> Path | None:
    """The file in the folder, matching its name case-insensitively (TRANSFERS.CSV from Windows)."""
    exact = folder / file
    if exact.is_file():
        return exact
    try:
        return next((p for p in folder.iterdir() if p.name.lower() == file and p.is_file()), None)
    except OSError:
        return None


def _signature(path: Path | None) -> tuple | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size)


class DataSource:
    """Loads a folder once and reloads a file only when it changes on disk.

    A changed file that fails validation never replaces the last good version: the
    old rows stay in service and its errors are reported. The snapshot is swapped
    whole, so a viewer never sees half of an update.

    A new version is taken up only once it has been still for `settle` seconds and did
    not change while it was read, so a file still being written (Excel saving, a copy
    over a network share) is never shown half: until then the version in service stays.
    Every gunicorn worker holds its own DataSource and, by the same rules, reaches the
    same state; `Dataset.version` says which state that is.

    With `watch` (seconds), a thread started on first use looks at the folder that often,
    so that every worker sees every good version, not only those that came while it was
    asked: otherwise a worker idle while a good file came and went would fall back to
    an older one when a broken file follows, and viewers would see both.
    """

    def __init__(
        self,
        folder: Path | str,
        settle: float = SETTLE_SECONDS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        watch: float | None = None,
        cache: ParsedCache | None = None,
        view_cache_size: int | None = None,
    ):
        self.folder = Path(folder)
        self.cache = cache or ParsedCache(self.folder)
        if view_cache_size is None:
            view_cache_size = int(os.environ.get("VIEW_CACHE_SIZE") or VIEW_CACHE_SIZE)
        self.view_cache_size = view_cache_size
        self.settle = settle
        self.watch = watch
        self._watcher: threading.Thread | None = None
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._seen: dict[str, tuple | None] = {}  # signature of the version in service
        self._gone_since: dict[str, float] = {}
        self._parsed: dict[str, tuple[pd.DataFrame | None, list[Problem], FileState]] = {}
        self._good: dict[str, tuple[pd.DataFrame, FileState]] = {}
        self._snapshot: Dataset | None = None

    def get(self) -> Dataset:
        if self.watch and self._watcher is None:
            self._start_watching()
        paths = {name: find_file(self.folder, s.file) for name, s in SCHEMAS.items()}
        signatures = {name: _signature(path) for name, path in paths.items()}
        if self._snapshot is not None and signatures == self._seen:
            return self._snapshot
        with self._lock:
            if self._snapshot is None or signatures != self._seen:
                self._update(paths, signatures)
            return self._snapshot

    def _start_watching(self) -> None:
        with self._lock:
            if self._watcher is not None:
                return
            # A weak reference: the thread ends with its DataSource (an app made for a test).
            self._watcher = threading.Thread(target=_watch, args=(weakref.ref(self),), name="data-watch", daemon=True)
            self._watcher.start()

    def _update(self, paths: dict[str, Path | None], signatures: dict[str, tuple | None]) -> None:
        changed = self._snapshot is None
        for name, schema in SCHEMAS.items():
            signature = signatures[name]
            if name in self._parsed and signature == self._seen.get(name):
                continue
            if name not in self._parsed:  # first sight: nothing else to show, so wait for it
                signature = self._wait_until_still(paths[name], signature)
            elif not self._still(name, signature):
                continue  # maybe still being written: the version in service stays
            parsed = self._load(schema, paths[name], signature)
            if parsed is None:  # it changed while being read: try again on the next request
                self._parsed.setdefault(name, (empty_frame(schema), [], FileState(schema, "missing")))
                continue
            self._parsed[name] = parsed
            self._seen[name] = signature
            changed = True
        if changed:
            self._snapshot = self._compose()

    def _still(self, name: str, signature: tuple | None) -> bool:
        """Unchanged for `settle` seconds: written in full (or gone for good, not mid-replace)."""
        now = self._clock()
        if signature is None:
            return now - self._gone_since.setdefault(name, now) >= self.settle
        self._gone_since.pop(name, None)
        return now - signature[1] / 1e9 >= self.settle

    def _wait_until_still(self, path: Path | None, signature: tuple | None) -> tuple | None:
        if signature is None:
            return None
        young = self.settle - (self._clock() - signature[1] / 1e9)
        if young <= 0:
            return signature
        self._sleep(young)
        return _signature(path)

    def _load(self, schema: Schema, path: Path | None, signature: tuple | None):
        """(frame, problems, state) for one file, or None when it changed while being read."""
        name = schema.name
        if path is None or signature is None:
            self._good.pop(name, None)
            return empty_frame(schema), [], FileState(schema, "missing")
        cached = self.cache.read(schema, path)
        if cached is not None:  # parsed before, file unchanged since: nothing to read
            frame, problems, encoding = cached
        else:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as exc:
                frame, problems, encoding = None, [Problem(schema.file, f"无法读取文件：{exc.strerror}")], None
            else:
                if len(raw) != signature[2] or _signature(path) != signature:
                    return None
                frame, problems, encoding = parse_bytes(schema, raw)
                self.cache.write(schema, path, (frame, problems, encoding))
        modified = datetime.fromtimestamp(signature[1] / 1e9)
        if frame is not None:
            state = FileState(schema, "loaded", encoding, len(frame), modified)
            self._good[name] = (frame, state)
        else:
            state = FileState(schema, "stale" if name in self._good else "rejected", encoding, 0, modified)
        return frame, problems, state

    def _compose(self) -> Dataset:
        frames, files, problems = {}, {}, []
        for name, schema in SCHEMAS.items():
            frame, file_problems, state = self._parsed[name]
            problems.extend(file_problems)
            if frame is None and name in self._good:
                frame, good_state = self._good[name]
                state = FileState(schema, "stale", state.encoding, good_state.rows, good_state.modified)
            frames[name] = frame if frame is not None else empty_frame(schema)
            files[name] = state
        version = hashlib.sha1(repr(sorted(self._seen.items())).encode()).hexdigest()[:12]
        return Dataset(self.folder, frames, files, tuple(problems), version, view_cache_size=self.view_cache_size)


def _watch(ref: weakref.ref) -> None:
    while (source := ref()) is not None:
        interval = source.watch
        try:
            source.get()
        except Exception:  # a watcher that died would leave this worker behind the others
            logging.getLogger(__name__).exception("reading %s", source.folder)
        del source
        time.sleep(interval)


def load_folder(folder: Path | str) -> Dataset:
    """Load a folder once, as it is now, without caching (used by `app.py check` and tests)."""
    return DataSource(folder, settle=0).get()


