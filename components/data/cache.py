"""Parsed frames on disk, shared by every worker and kept across restarts."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from components import vocab
from components.data.schema import Problem, Schema

# ---------------------------------------------------------------- parsed cache

CACHE_MIN_BYTES = 1_000_000  # smaller files parse in milliseconds: no cache beside them
log = logging.getLogger(__name__)


@cache
def parser_version() -> str:
    """Changes whenever the parsing rules or the libraries that hold the frames change."""
    digest = hashlib.sha256(f"{pd.__version__} {pa.__version__}".encode())
    for module in (Path(__file__), Path(vocab.__file__)):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


class ParsedCache:
    """Parsed frames on disk as Parquet, so a restart or a new worker reads a province's
    millions of rows in about a second instead of parsing the CSV again.

    An entry is keyed by the CSV's path, size, modification time and inode and by the
    parser's version: a changed file is always parsed again, and its errors reported;
    only files that loaded without error are stored. The folder is `DATA_CACHE_DIR`, else
    `.cache/` inside the data folder; when it cannot be written (a read-only data folder),
    files are simply parsed every time.
    """

    def __init__(self, folder: Path, directory: Path | None = None, min_bytes: int = CACHE_MIN_BYTES):
        self.directory = directory or Path(os.environ.get("DATA_CACHE_DIR") or folder / ".cache")
        self.prefix = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]
        self.min_bytes = min_bytes

    def _entry(self, schema: Schema, path: Path) -> Path | None:
        try:
            st = path.stat()
        except OSError:
            return None
        if st.st_size < self.min_bytes:
            return None
        key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}|{parser_version()}"
        return self.directory / f"{self.prefix}-{schema.name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.parquet"

    def read(self, schema: Schema, path: Path) -> tuple[pd.DataFrame, list[Problem], str | None] | None:
        entry = self._entry(schema, path)
        if entry is None or not entry.is_file():
            return None
        try:
            table = pq.read_table(entry)
            meta = json.loads(table.schema.metadata[b"dashboard"])
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return None
        problems = [Problem(**p) for p in meta["problems"]]
        # self_destruct: the Arrow buffers are handed over, not copied (a province is ~0.5 GB).
        return table.to_pandas(self_destruct=True), problems, meta["encoding"]

    def write(self, schema: Schema, path: Path, parsed: tuple) -> None:
        frame, problems, encoding = parsed
        entry = self._entry(schema, path)
        if frame is None or entry is None:
            return
        meta = {"problems": [vars(p) for p in problems], "encoding": encoding, "file": str(path)}
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**table.schema.metadata, b"dashboard": json.dumps(meta).encode()})
        part = entry.with_name(f".{entry.name}.{os.getpid()}.part")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, part)
            if self._entry(schema, path) != entry:  # the CSV changed while it was parsed
                part.unlink()
                return
            part.replace(entry)  # atomic: another worker never reads half an entry
            for old in self.directory.glob(f"{self.prefix}-{schema.name}-*.parquet"):
                if old != entry:
                    old.unlink(missing_ok=True)
        except (OSError, pa.ArrowException) as exc:
            log.warning("解析缓存不可写（%s），每次启动都将重新解析 CSV：%s", self.directory, exc)
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)


