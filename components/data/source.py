"""A data folder in service: new versions are read in the background and swapped in whole."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from components.data.cache import GoodVersion, ParsedCache, content_hash
from components.data.parse import cut_last_row, parse_bytes
from components.data.rows import empty_frame
from components.data.schema import SCHEMAS, SETTLE_SECONDS, Problem, Schema
from components.data.snapshot import VIEW_CACHE_BYTES, VIEW_CACHE_SIZE, Dataset, FileState

HOLD_SECONDS = 30.0  # a version that looks cut short is taken up only after this long unchanged
FUTURE_SLACK = 2.0  # seconds a file's time may run ahead of ours before it counts as the future
log = logging.getLogger(__name__)


def find_file(folder: Path, file: str) -> Path | None:
    """The file in the folder, matching its name case-insensitively (TRANSFERS.CSV from Windows)."""
    exact = folder / file
    if exact.is_file():
        return exact
    try:
        return next((p for p in folder.iterdir() if p.name.lower() == file and p.is_file()), None)
    except OSError:
        return None


def data_files(folder: Path, schema: Schema) -> list[Path]:
    """The file as CSV and as workbook (transfers.csv, transfers.xlsx): those present."""
    workbook = schema.file.removesuffix(".csv") + ".xlsx"
    return [path for name in (schema.file, workbook) if (path := find_file(folder, name)) is not None]


def _signature(path: Path | None) -> tuple | None:
    """What tells one version of a file from the next without reading it: ctime and inode
    change on every write or replacement, even one that keeps the size and sets the time back."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino)


def _now(folder: Path, schema: Schema) -> tuple | None:
    """The signature `_look` decides on: of the file, or of both files when x.csv and x.xlsx lie side by side."""
    paths = data_files(folder, schema)
    if len(paths) > 1:
        return tuple(_signature(p) for p in paths)
    return _signature(paths[0] if paths else None)


@dataclass
class _Slot:
    """One file: the version last decided on, and what is in service."""

    signature: tuple | None = None  # of the version last decided on; None: decide again
    frame: pd.DataFrame | None = None  # the last good rows; None: nothing good to serve
    good: GoodVersion | None = None
    problems: list[Problem] = field(default_factory=list)  # of the version last decided on
    status: str = "missing"
    encoding: str | None = None
    digest: str | None = None  # of the version last decided on, good or not
    notice: str = ""  # a newer version held back, and why
    held: tuple | None = None  # its signature
    file: str = ""  # the name problems give, where not the contract's (transfers.xlsx)
    title: str = ""  # the lines above the header of the version in service


class DataSource:
    """A data folder in service; each file is reloaded only when it changes on disk.

    A changed file that fails validation never replaces the last good version: the old rows
    stay in service and its errors are reported. The snapshot is swapped whole, so a viewer
    never sees half of an update, and it is built off the request path: with `watch`
    (seconds), a thread looks at the folder that often, parses what changed, works out the
    checks and swaps the new snapshot in, while requests keep getting the last one at once.
    Only a worker's very first snapshot is built on a request, and then mostly read from
    the parsed cache that the other workers share (see cache.py).

    A new version is taken up once it has been still for `settle` seconds (by the file's time,
    or by this process's own clock when the file's time is in the future: clock skew on a
    shared folder) and did not change while it was read. A version that looks cut short
    (less than half the size of the last good one, or no longer ending with a line break)
    waits `hold` seconds unchanged, with a notice. Every worker holds its own DataSource and,
    by the same rules and the last good versions kept on disk, reaches the same state;
    `Dataset.version` says which state that is, from the content served.
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
        hold: float = HOLD_SECONDS,
        prepare: Callable[[Dataset], object] | None = None,
    ):
        """`prepare(snapshot)` runs on each new snapshot before it is served (the app computes its
        findings there: checks.findings), so the first request that needs them does not wait."""
        self.folder = Path(folder)
        self.cache = cache or ParsedCache(self.folder)
        if view_cache_size is None:
            view_cache_size = int(os.environ.get("VIEW_CACHE_SIZE") or VIEW_CACHE_SIZE)
        self.view_cache_size = view_cache_size
        self.view_cache_bytes = int(os.environ.get("VIEW_CACHE_BYTES") or VIEW_CACHE_BYTES)
        self.settle, self.hold, self.watch = settle, hold, watch
        self.prepare = prepare
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._slots: dict[str, _Slot] = {}
        self._first_seen: dict[str, tuple[tuple | None, float]] = {}
        self._snapshot: Dataset | None = None
        self._forked = False  # a fork's copy of a snapshot, not looked at in this process yet
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (source := ref()) is not None and source._after_fork())

    def get(self) -> Dataset:
        """The snapshot in service. With a watcher, never waits for a file to be read."""
        if self._snapshot is None or self._forked:
            with self._lock:
                if self._snapshot is None:
                    self._refresh()
                elif self._forked:
                    self._catch_up()
        if self.watch:
            if self._watcher is None:
                self._start_watching()
            return self._snapshot
        with self._lock:  # no watcher (tests, `app.py check`): look now
            self._refresh()
        return self._snapshot

    def refresh(self) -> None:
        """Look at the folder once and swap in a new snapshot if anything changed (the watcher's step)."""
        with self._lock:
            self._catch_up() if self._forked else self._refresh()

    def catch_up(self) -> None:
        """Bring a snapshot that nobody watched up to date, as a newly started worker would see the
        folder: gunicorn's master before forking a worker (app.before_fork)."""
        with self._lock:
            self._catch_up()

    def _start_watching(self) -> None:
        with self._lock:
            if self._watcher is not None:
                return
            # A weak reference: the thread ends with its DataSource (an app made for a test).
            self._watcher = threading.Thread(target=_watch, args=(weakref.ref(self),), name="data-watch", daemon=True)
            self._watcher.start()

    def _after_fork(self) -> None:
        """In a process forked from one that had loaded the data (gunicorn's preload): threads
        are not copied by fork, so this process gets its own lock and watcher, and its first
        get() looks at the folder before serving the copied snapshot."""
        if self._lock.locked():  # forked in the middle of a change: start over, as a new worker
            self._slots, self._first_seen, self._snapshot = {}, {}, None
        self._lock = threading.Lock()
        self._watcher = None
        self._forked = self._snapshot is not None

    def _catch_up(self) -> None:
        """The snapshot checked against the folder (a stat per file when nothing changed).

        A worker forked long after its master loaded the data must serve what a newly started
        worker would: a file that changed since then is looked at afresh, as on a first look
        (the last good version on disk, not the master's, stands in for a broken one)."""
        if self._snapshot is None:
            self._refresh()
            return
        fresh = {
            name
            for name, schema in SCHEMAS.items()
            if name not in self._slots or _now(self.folder, schema) != self._slots[name].signature
        }
        for name in fresh:
            self._slots.pop(name, None)
            self._first_seen.pop(name, None)
        self._refresh(fresh)
        self._forked = False

    def _refresh(self, fresh: set[str] = frozenset()) -> None:
        """`fresh`: files decided on as in a worker's first look."""
        first = self._snapshot is None
        changed = [self._look(name, schema, first or name in fresh) for name, schema in SCHEMAS.items()]
        if first or any(changed):
            snapshot = self._compose()
            if self.prepare is not None:
                self.prepare(snapshot)  # e.g. the checks run here, not on the first request that shows them
            self._snapshot = snapshot

    def _look(self, name: str, schema: Schema, first: bool) -> bool:
        """Decide on the file's current version; True when what is served changed."""
        slot = self._slots.setdefault(name, _Slot())
        paths = data_files(self.folder, schema)
        if len(paths) > 1:
            return self._both(schema, slot, paths)
        path = paths[0] if paths else None
        signature = _signature(path)
        if signature is not None and signature == slot.signature:
            return False
        now = self._clock()
        seen, since = self._first_seen.get(name, (None, now))
        if seen != signature or name not in self._first_seen:
            self._first_seen[name], since = (signature, now), now
        if signature is None:
            if slot.signature is None and slot.status == "missing" and not first:
                return False
            if not first and now - since < self.settle:
                return False  # gone for a moment: Excel saves by deleting and renaming
            self._slots[name] = _Slot(signature=None, status="missing")
            return True
        modified = signature[1] / 1e9
        future = modified > now + FUTURE_SLACK
        age = max(now - since, 0 if future else now - modified)
        if signature == slot.held and now - since < self.hold:
            return False  # held back already, and not long enough unchanged yet
        if age < self.settle:
            if not first:
                return False  # maybe still being written: the version in service stays
            self._sleep(self.settle - age)  # a worker's first look only, at most `settle`
            if _signature(path) != signature:
                return self._fall_back(name, schema, slot)
            age = self.settle
        try:
            raw = path.read_bytes()
        except OSError:
            return self._fall_back(name, schema, slot) if first else False
        if len(raw) != signature[2] or _signature(path) != signature:
            return self._fall_back(name, schema, slot) if first else False  # changed while read: next time
        notes = []
        if future:
            ahead = f"{modified - now:,.0f}"
            notes.append(
                Problem(
                    schema.file,
                    f"文件的修改时间（{datetime.fromtimestamp(modified):%Y-%m-%d %H:%M:%S}）比服务器时钟快 {ahead} 秒："
                    "已在文件静止后载入，请检查共享文件夹所在机器或服务器的时钟",
                    level="warning",
                )
            )
        digest = content_hash(raw)
        good = slot.good or (self.cache.good(schema) if first else None)
        doubt = _doubt(raw, good) if good and good.digest != digest else ""
        if doubt and (accepted := self.cache.good(schema)) is not None and accepted.digest == digest:
            doubt = ""  # another worker has held it long enough already
        if doubt and (not raw.strip() or cut_last_row(schema, raw)):
            doubt = ""  # certainly broken (empty, a row cut off): an error on its line says more
        # Held by this process's own clock: a copy that keeps the source's old time may still be cut.
        if doubt and now - since < self.hold:
            if first:
                self._fall_back(name, schema, slot)
            held = f"新版本看起来没有写完整（{doubt}），仍显示上一版；文件保持不变 {self.hold:g} 秒后载入。"
            slot.held, slot.notice, slot.digest = signature, held, digest
            return True
        workbook = path.suffix.lower() == ".xlsx"
        size, final_newline = len(raw), raw.endswith((b"\n", b"\r"))
        held = [raw]  # _parse may let the bytes go while it reads the parsed entry
        del raw
        parsed = self._parse(schema, held, digest, path, path.name if workbook else None)
        if parsed is None:
            return self._fall_back(name, schema, slot) if first else False  # changed while read: next time
        frame, problems, encoding = parsed
        slot.signature, slot.digest, slot.notice, slot.held = signature, digest, "", None
        slot.problems, slot.encoding = [*problems, *notes], encoding
        slot.file = path.name if workbook else ""
        if frame is not None:
            slot.frame, slot.status = frame, "loaded"
            slot.title = frame.attrs.get("title", "")
            slot.good = GoodVersion(digest, size, final_newline, signature[1], encoding, len(frame))
            self.cache.set_good(schema, slot.good)
        elif slot.frame is None and first and not self._restore(schema, slot, good):
            slot.status = "rejected"
        else:
            self._catch_up_good(schema, slot)
            slot.status = "stale" if slot.frame is not None else "rejected"
        return True

    def _catch_up_good(self, schema: Schema, slot: _Slot) -> None:
        """A broken version, and another worker took up a later good one that this one never saw
        (edited, then broken within a look): serve that one too, so every worker shows the same."""
        shared, mine = self.cache.good(schema), slot.good
        if shared is not None and (mine is None or shared.modified_ns > mine.modified_ns):
            self._restore(schema, slot, shared)

    def _both(self, schema: Schema, slot: _Slot, paths: list[Path]) -> bool:
        """x.csv and x.xlsx side by side: which one is meant is not guessed, neither is taken up."""
        signature = tuple(_signature(p) for p in paths)
        if signature == slot.signature:
            return False
        names = " 和 ".join(p.name for p in paths)
        message = f"文件夹中同时有 {names}，无法判断该用哪一个，两个都未载入：请删除或移走其中一个"
        slot.signature, slot.digest, slot.notice, slot.held = signature, None, "", None
        slot.problems, slot.encoding = [Problem(schema.file, message)], None
        slot.status = "stale" if slot.frame is not None else "rejected"
        return True

    def _parse(self, schema: Schema, held: list[bytes], digest: str, path: Path, file: str | None = None):
        """(frame, problems, encoding) from the parsed entry, else parsed from the bytes in `held`;
        None if the file had to be read again and had changed. Where an entry is stored, the bytes
        are let go before it is read: a province's CSV is 335 MB beside its frame."""
        with self.cache.lock(schema):  # other workers wait, then read what this one stored
            cached = self.cache.read(schema, digest, found=held.clear)
            if cached is not None:
                return cached
            raw = held[0] if held else _read_again(path, digest)  # the entry did not verify
            if raw is None:
                return None
            parsed = parse_bytes(schema, raw, file)
            if parsed[0] is not None:
                self.cache.write(schema, digest, parsed)
            return parsed

    def _restore(self, schema: Schema, slot: _Slot, good: GoodVersion | None) -> bool:
        """A worker's first look found no good version in the folder: serve the last one on disk."""
        cached = self.cache.read(schema, good.digest) if good else None
        if cached is None:
            return False
        slot.frame, slot.good, slot.status = cached[0], good, "stale"
        slot.title = cached[0].attrs.get("title", "")
        return True

    def _fall_back(self, name: str, schema: Schema, slot: _Slot) -> bool:
        """First look, file not readable as one version yet: the last good one on disk, or nothing."""
        if slot.frame is None and self._restore(schema, slot, self.cache.good(schema)):
            slot.status = "loaded"
        slot.signature = None  # look again next time
        return True

    def _compose(self) -> Dataset:
        frames, files, problems, parts, names, entries = {}, {}, [], [], {}, {}
        for name, schema in SCHEMAS.items():
            slot = self._slots[name]
            problems.extend(slot.problems)
            good = slot.good
            modified = datetime.fromtimestamp(good.modified_ns / 1e9) if good and slot.frame is not None else None
            served = slot.frame is not None
            files[name] = FileState(
                schema,
                slot.status,
                slot.encoding,
                len(slot.frame) if served else 0,
                modified,
                slot.notice,
                slot.title if served else "",
                slot.file,
            )
            if slot.file:
                names[name] = slot.file  # findings and warnings name the workbook
            frames[name] = slot.frame if slot.frame is not None else empty_frame(schema)
            if served and good and (entry := self.cache.entry(schema, good.digest)) is not None:
                entries[name] = entry
            # From the content served and the verdicts shown: the same in every worker that serves the same.
            parts.append((name, slot.status, good.digest if good and slot.frame is not None else "", slot.digest, slot.notice))
        version = hashlib.sha1(repr(parts).encode()).hexdigest()[:12]
        return Dataset(
            self.folder,
            frames,
            files,
            tuple(problems),
            version,
            names=names,
            view_cache_size=self.view_cache_size,
            view_cache_bytes=self.view_cache_bytes,
            entries=entries,
        )


def _read_again(path: Path, digest: str) -> bytes | None:
    """The file's bytes, if they are still the ones `digest` names."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    return raw if content_hash(raw) == digest else None


def _doubt(raw: bytes, good: GoodVersion) -> str:
    """Why a new version looks cut short next to the last good one ("" when it does not)."""
    if len(raw) * 2 < good.size:
        return f"只有上一版的 {len(raw) / good.size:.0%}"
    if good.final_newline and not raw.endswith((b"\n", b"\r")):
        return "末尾的换行没有了"
    return ""


def _watch(ref: weakref.ref) -> None:
    while (source := ref()) is not None:
        interval = source.watch
        try:
            source.refresh()
        except Exception as exc:  # a watcher that died would leave this worker behind the others
            log.error("reading %s failed: %s", source.folder, str(exc)[:500])
        del source
        time.sleep(interval)


def load_folder(folder: Path | str) -> Dataset:
    """Load a folder once, as it is now, keeping nothing on disk (`app.py check` and tests)."""
    return DataSource(folder, settle=0, cache=ParsedCache(Path(folder), enabled=False)).get()
