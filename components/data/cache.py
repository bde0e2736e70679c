"""Parsed frames on disk, shared by every worker and kept across restarts.

An entry is named by a hash of the CSV's bytes, so a file rewritten in place (same size,
same modification time) is never answered with the figures of its earlier content, and
N workers that see a changed file parse it once: the first to take the file's lock parses
and stores, the others read what it stored. Beside each entry a small JSON record holds
the hash of the Parquet bytes: an entry that is cut short, corrupted or replaced by another
valid Parquet file does not verify, and is discarded and rebuilt.

Each file's last good version (the one in service) is recorded too, so a worker started
while a broken file lies in the folder serves what the others serve.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from components import vocab
from components.data.schema import Problem, Schema

CACHE_FORMAT = "2"
STALE_PART_SECONDS = 3600  # a .part file this old belongs to a writer that died
log = logging.getLogger(__name__)


def content_hash(raw: bytes | pa.Buffer) -> str:
    """BLAKE2b of the bytes: ~1 GB/s, so a province's 335 MB costs a third of a second."""
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


@cache
def parser_version() -> str:
    """Changes whenever the parsing rules or the libraries that hold the frames change."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} {pd.__version__} {pa.__version__}".encode())
    here = Path(__file__).parent
    for module in (*(here / f"{m}.py" for m in ("schema", "cells", "rows", "fast", "parse", "xlsx")), Path(vocab.__file__)):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class GoodVersion:
    """The version of a file last taken into service: what a restarted worker falls back on."""

    digest: str
    size: int
    final_newline: bool
    modified_ns: int
    encoding: str | None
    rows: int


Parsed = tuple[pd.DataFrame, list[Problem], str | None]


class ParsedCache:
    """Parquet entries by content hash in `DATA_CACHE_DIR`, else `.cache/` in the data folder,
    else a folder in the system's temporary directory; `enabled=False` keeps nothing on disk."""

    def __init__(self, folder: Path, directory: Path | None = None, enabled: bool = True):
        self.prefix = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:8]
        self.enabled = enabled
        self.directory = directory or Path(os.environ.get("DATA_CACHE_DIR") or Path(folder) / ".cache")
        self._ready = False

    def _usable(self) -> bool:
        if not self.enabled:
            return False
        if self._ready:
            return True
        for candidate in (self.directory, Path(tempfile.gettempdir()) / f"budget-dashboard-cache-{os.getuid()}"):
            try:
                candidate.mkdir(parents=True, exist_ok=True)
                handle, probe = tempfile.mkstemp(prefix=".probe.", dir=candidate)  # unique: threads probe at once
                os.close(handle)
                os.unlink(probe)
            except OSError:
                continue
            if candidate != self.directory:
                log.warning("解析缓存文件夹 %s 不可写，改用 %s", self.directory, candidate)
            self.directory, self._ready = candidate, True
            self._sweep()
            return True
        self.enabled = False
        log.warning("没有可写的解析缓存文件夹：每次启动都重新解析 CSV，重启后没有上一版可用")
        return False

    def _path(self, schema: Schema, tail: str) -> Path:
        return self.directory / f"{self.prefix}-{schema.name}-{tail}"

    def _sweep(self) -> None:
        """Remove the partial files of writers that were killed."""
        now = time.time()
        for part in self.directory.glob(f".{self.prefix}-*.part"):
            with contextlib.suppress(OSError, ValueError):
                pid = int(part.name.rsplit(".", 2)[-2])
                if not _alive(pid) or now - part.stat().st_mtime > STALE_PART_SECONDS:
                    part.unlink()

    @contextlib.contextmanager
    def lock(self, schema: Schema):
        """Held while one file is parsed: other workers wait, then find the entry stored."""
        if not self._usable():
            yield
            return
        try:
            handle = open(self._path(schema, "lock"), "a")  # noqa: SIM115
        except OSError:
            yield
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read(self, schema: Schema, digest: str, found: Callable[[], None] | None = None) -> Parsed | None:
        """The stored entry of this version, or None. `found` is called once its record names
        this parser and this version, before the entry itself is read."""
        if not self._usable():
            return None
        entry, record = self._path(schema, f"{digest}.parquet"), self._path(schema, f"{digest}.json")
        try:
            meta = json.loads(record.read_text(encoding="utf-8"))
            if found is not None and isinstance(meta, dict) and meta.get("parser") == parser_version() and meta.get("csv") == digest:
                found()
            body = entry.read_bytes()
        except (OSError, ValueError):
            return None
        try:
            if meta.get("parser") != parser_version() or meta.get("csv") != digest:
                raise ValueError("another parser or another file")
            if meta.get("parquet") != content_hash(body):
                raise ValueError("the entry does not match its record")
            table = pq.read_table(pa.BufferReader(body))
            problems = [Problem(**p) for p in meta["problems"]]
        except (ValueError, TypeError, KeyError, pa.ArrowException) as exc:
            log.warning("解析缓存 %s 校验失败（%s），已丢弃并重新解析", entry.name, exc)
            for path in (entry, record):
                with contextlib.suppress(OSError):
                    path.unlink()
            return None
        # self_destruct: the Arrow buffers are handed over, not copied (a province is ~0.5 GB).
        frame = table.to_pandas(self_destruct=True)
        if meta.get("title"):
            frame.attrs["title"] = meta["title"]
        return frame, problems, meta["encoding"]

    def write(self, schema: Schema, digest: str, parsed: Parsed) -> None:
        """Store a clean parse (it becomes the file's last good version: see set_good)."""
        frame, problems, encoding = parsed
        if frame is None or not self._usable():
            return
        entry = self._path(schema, f"{digest}.parquet")
        try:
            sink = pa.BufferOutputStream()
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
            body = sink.getvalue()  # an Arrow buffer, hashed and written as it is: no copy into bytes
            meta = {
                "parser": parser_version(),
                "csv": digest,
                "parquet": content_hash(body),
                "problems": [vars(p) for p in problems],
                "encoding": encoding,
                "title": frame.attrs.get("title", ""),  # the lines above the header (Parquet keeps no attrs)
            }
            self._atomic(entry, body)
            self._atomic(self._path(schema, f"{digest}.json"), json.dumps(meta, ensure_ascii=False).encode())
        except (OSError, pa.ArrowException) as exc:
            log.warning("解析缓存不可写（%s）：%s", self.directory, exc)

    def entry(self, schema: Schema, digest: str) -> tuple[str, int, int] | None:
        """(path, size, mtime_ns) of the stored entry of this version, when it is on disk and was
        written by this parser: what DuckDB reads (components/data/query.py) instead of the frame."""
        if not self._usable():
            return None
        entry = self._path(schema, f"{digest}.parquet")
        try:
            meta = json.loads(self._path(schema, f"{digest}.json").read_text(encoding="utf-8"))
            st = entry.stat()
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("parser") != parser_version() or meta.get("csv") != digest:
            return None
        return str(entry), st.st_size, st.st_mtime_ns

    def good(self, schema: Schema) -> GoodVersion | None:
        if not self._usable():
            return None
        try:
            return GoodVersion(**json.loads(self._path(schema, "good.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def set_good(self, schema: Schema, good: GoodVersion) -> None:
        if not self._usable() or self.good(schema) == good:
            return
        with contextlib.suppress(OSError):
            self._atomic(self._path(schema, "good.json"), json.dumps(asdict(good)).encode())
            for old in self.directory.glob(f"{self.prefix}-{schema.name}-*.parquet"):
                if old.stem.rsplit("-", 1)[-1] != good.digest:  # only the version in service is kept
                    old.unlink(missing_ok=True)
                    old.with_suffix(".json").unlink(missing_ok=True)

    def _atomic(self, target: Path, body: bytes | pa.Buffer) -> None:
        """Write beside the target, then rename: another worker never reads half an entry."""
        part = self.directory / f".{target.name}.{os.getpid()}.part"
        try:
            part.write_bytes(body)
            part.replace(target)
        finally:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
