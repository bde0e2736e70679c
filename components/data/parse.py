"""One file's bytes or text to a frame and its problems: the fast path, else row by row."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from components.data.cells import decode
from components.data.fast import parse_fast
from components.data.rows import parse_rows
from components.data.schema import CellError, Problem, Schema


def parse_text(schema: Schema, text: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse one file's text. Returns (frame or None when any error, problems)."""
    fast = parse_fast(schema, text.encode("utf-8"))
    return fast if fast is not None else parse_rows(schema, text)



def parse_bytes(
    schema: Schema, raw: bytes, file: str | None = None
) -> tuple[pd.DataFrame | None, list[Problem], str | None]:
    """(frame or None, problems, encoding) for one file's bytes; problems name `file` when given."""
    fast = None
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
        else:
            frame, problems = parse_text(schema, text)
    if file and file != schema.file:
        problems = [replace(p, file=file) for p in problems]
    return frame, problems, encoding


