"""One file's bytes or text to a frame and its problems: the fast path, else row by row."""

from __future__ import annotations

import csv
from dataclasses import replace

import pandas as pd

from components.data.cells import decode, line_of
from components.data.fast import parse_fast
from components.data.rows import EMPTY_FILE, parse_records, parse_rows
from components.data.schema import CellError, Problem, Schema
from components.data.xlsx import is_workbook, read_workbook, workbook_csv

WORKBOOK = "Excel 工作簿"  # what the encoding line says of a .xlsx

TAIL_BYTES = 64 * 1024  # the cut-row check looks at the end of the file only


def parse_text(schema: Schema, text: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse one file's text. Returns (frame or None when any error, problems)."""
    fast = parse_fast(schema, text.encode("utf-8"))
    return fast if fast is not None else parse_rows(schema, text)


def parse_bytes(
    schema: Schema, raw: bytes, file: str | None = None
) -> tuple[pd.DataFrame | None, list[Problem], str | None]:
    """(frame or None, problems, encoding) for one file's bytes; problems name `file` when given.

    A workbook (.xlsx, or a .csv that is one) is read from its first sheet by the same row rules."""
    fast = None
    if raw and is_workbook(file or schema.file, raw):
        frame, problems = parse_workbook(schema, raw)
        encoding = WORKBOOK
    elif not raw.strip():
        frame, problems, encoding = None, [Problem(schema.file, EMPTY_FILE, 1)], None
    elif cut := cut_last_row(schema, raw):
        frame, problems, encoding = None, [cut], None
    else:
        if not raw.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in raw:
            # Arrow checks the bytes are UTF-8 as it reads them: a clean UTF-8 file (the large
            # case) is never decoded into one more copy of itself.
            fast = parse_fast(schema, raw)
        if fast is not None:
            (frame, problems), encoding = fast, "UTF-8"
        else:
            try:
                text, encoding = decode(raw)
            except CellError as exc:
                problems, encoding, frame = [Problem(schema.file, str(exc), exc.line)], None, None
            else:  # the fast path has had its try at UTF-8 already
                frame, problems = parse_rows(schema, text) if encoding == "UTF-8" else parse_text(schema, text)
    if file and file != schema.file:
        problems = [replace(p, file=file) for p in problems]
    return frame, problems, encoding


def parse_workbook(schema: Schema, raw: bytes) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The first sheet read as the same table saved as CSV would be (columnar when it can, else
    row by row); every problem names the sheet."""
    try:
        as_csv = workbook_csv(raw)
        if as_csv is None:  # a cell spans lines: the rows as records keep their sheet row numbers
            sheet, records = read_workbook(raw)
            frame, problems = parse_records(schema, records)
        else:
            sheet, data = as_csv
            fast = parse_fast(schema, data)
            frame, problems = fast if fast is not None else parse_rows(schema, data.decode("utf-8"))
    except CellError as exc:
        return None, [Problem(schema.file, str(exc), exc.line)]
    return frame, [replace(p, sheet=sheet) for p in problems]


def cut_last_row(schema: Schema, raw: bytes) -> Problem | None:
    """A file that ends without a line break in a row shorter than the rows before it was cut
    off while being written (a full disk, a copy that stopped): its last figures would read as
    未公布. Hand-made files often lack the final line break; their last row is complete."""
    if raw.endswith((b"\n", b"\r")) or b"\n" not in raw.strip():
        return None
    tail = raw[-TAIL_BYTES:]
    if b"\x00" in tail:
        return None  # not text (UTF-16, binary): decoding says so
    lines = [line for line in tail.splitlines() if line.strip()][-2:]
    if len(lines) < 2 or tail.count(b'"') % 2:
        return None  # a quoted cell over several lines: the row parser judges it
    try:
        last, before = (next(csv.reader([line.decode("utf-8", "replace")])) for line in reversed(lines))
    except csv.Error:
        return None
    if len(last) >= len(before):
        return None
    return Problem(
        schema.file,
        f"最后一行只有 {len(last)} 个单元格，上一行有 {len(before)} 个，且文件末尾没有换行："
        "文件可能没有写完整（磁盘已满或复制中断），请重新保存",
        line_of(raw, len(raw) - 1),
    )
