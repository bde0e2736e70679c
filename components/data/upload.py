"""Files given as bytes (the 数据检查 page), validated exactly as the folder loader does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import pandas as pd

from components.data.cells import decode
from components.data.parse import parse_bytes
from components.data.rows import MAX_LINES_ABOVE, empty_frame, header_index, parse_header, read_records
from components.data.schema import SCHEMAS, CellError, Problem, Schema
from components.data.snapshot import Dataset, FileState
from components.data.xlsx import is_workbook, read_workbook

# ---------------------------------------------------------------- files given as bytes

# What an old workbook starts with (Excel users rename files); a .xlsx is read (see xlsx.py).
WORKBOOK_MAGIC = {b"\xd0\xcf\x11\xe0": "旧版 Excel 工作簿（.xls）"}
SAVE_AS_CSV = "在 Excel 中“另存为”→“Excel 工作簿（.xlsx）”或“CSV UTF-8（逗号分隔）”后再上传"


@dataclass(frozen=True)
class Loaded:
    """One file given as a name and bytes (the 数据检查 page): what it is, what came of it."""

    name: str
    schema: Schema | None  # None: not a CSV file of the contract
    frame: pd.DataFrame | None  # None: not loadable
    problems: tuple[Problem, ...]
    encoding: str | None = None
    by_header: bool = False  # recognised from its header, its name being another


def load_bytes(file_name: str, raw: bytes) -> Loaded:
    """Validate one file held in memory exactly as the folder loader does; nothing touches the disk.

    The file's kind comes from its name (transfers.csv …) or else from its header.
    """
    name = PurePosixPath(file_name.replace("\\", "/")).name or "（无名文件）"

    def refuse(message: str, line: int | None = None) -> Loaded:
        return Loaded(name, None, None, (Problem(name, message, line),))

    if not name.lower().endswith((".csv", ".xlsx")):
        return refuse(f"不是 CSV 文件或 .xlsx 工作簿（文件名应以 .csv 或 .xlsx 结尾）：请{SAVE_AS_CSV}")
    for magic, what in WORKBOOK_MAGIC.items():
        if raw.startswith(magic):
            return refuse(f"文件内容是{what}，无法读取：请{SAVE_AS_CSV}", 1)
    stem = name.lower().rsplit(".", 1)[0]
    schema = next((s for s in SCHEMAS.values() if s.file.removesuffix(".csv") == stem), None)
    by_header = schema is None
    if by_header:
        schema = schema_from_header(raw, name)
        if schema is None and is_workbook(name, raw):
            try:  # a damaged workbook says so, rather than that its kind is unknown
                read_workbook(raw)
            except CellError as exc:
                return refuse(str(exc), exc.line)
        if schema is None:
            files = "、".join(s.file for s in SCHEMAS.values())
            return refuse(f"无法判断是哪一种数据：文件名不是 {files} 之一，表头也不完全符合其中任何一种", 1)
    frame, problems, encoding = parse_bytes(schema, raw, name)
    return Loaded(name, schema, frame, tuple(problems), encoding, by_header)


def schema_from_header(raw: bytes, name: str = "") -> Schema | None:
    """The one schema whose required columns the header has all of (the most columns wins);
    the header may stand below title and unit lines, and the file may be a workbook."""
    try:
        if is_workbook(name, raw):
            records = read_workbook(raw)[1][:MAX_LINES_ABOVE]
        else:
            text, _ = decode(raw)
            # Only the first lines that hold anything: 10 MB of empty lines must not be read for them.
            head = [line for line in text.lstrip().split("\n", 4 * MAX_LINES_ABOVE)[: 4 * MAX_LINES_ABOVE] if line.strip()]
            records = read_records("\n".join(head[:MAX_LINES_ABOVE]))
    except (CellError, ValueError):
        return None
    if not records:
        return None
    fits: dict[str, int] = {}
    for schema in SCHEMAS.values():
        problems: list[Problem] = []
        found = parse_header(schema, records[header_index(schema, records)][1], problems)
        if not any(p.level == "error" for p in problems):
            fits[schema.name] = len(found)
    best = sorted(fits.items(), key=lambda kv: -kv[1])
    if not best or (len(best) > 1 and best[0][1] == best[1][1]):
        return None
    return SCHEMAS[best[0][0]]


def dataset_of(loaded: Sequence[Loaded]) -> Dataset:
    """A snapshot of files given as bytes, as the dashboard would serve them (the first file of each kind)."""
    frames = {name: empty_frame(schema) for name, schema in SCHEMAS.items()}
    files = {name: FileState(schema, "missing") for name, schema in SCHEMAS.items()}
    names: dict[str, str] = {}
    problems: list[Problem] = []
    for item in loaded:
        problems.extend(item.problems)
        if item.schema is None or item.schema.name in names:
            continue
        names[item.schema.name] = item.name
        if item.frame is not None:
            frames[item.schema.name] = item.frame
            title = item.frame.attrs.get("title", "")
            files[item.schema.name] = FileState(item.schema, "loaded", item.encoding, len(item.frame), title=title)
        else:
            files[item.schema.name] = FileState(item.schema, "rejected", item.encoding)
    return Dataset(None, frames, files, tuple(problems), names=names)
