"""The column-by-column parser of clean files (a province's millions of rows)."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from components.data.cells import half_unit, margin, money_unit, parse_number, parse_year, printed, printed_column
from components.data.rows import HeaderCol, frame_columns, money_units, parse_header
from components.data.schema import BASE_UNIT, MISSING_MARKS, MONEY_FACTORS, CellError, Col, Problem, Schema, clean

# ---------------------------------------------------------------- fast path
#
# A province's evaluations.csv has millions of rows, and the row-by-row parser above takes
# about 36 µs a row. A clean file (the usual case) is read column by column with Arrow
# instead. A cell the fast path cannot judge exactly goes through the same cell functions
# as above, and any problem at all sends the whole file back to the row-by-row parser,
# which reports it with line and column: the fast path never decides what is an error.

# Characters str.strip() or clean() may remove: a cell that neither starts nor ends with
# one is its own clean() value.
_STRIPPABLE = r"[\s\x0b\x1c-\x1f\x85\xa0\x{1680}\x{2000}-\x{200b}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]"
_NEEDS_CLEAN = f"^{_STRIPPABLE}|{_STRIPPABLE}$"
_BLANK = f"^{_STRIPPABLE}*$"  # a cell clean() empties
_PLAIN_NUMBER = r"^-?\d+(?:\.\d+)?$"  # float() and Arrow's cast read these alike
# CSV bytes read and turned into columns at a time: the peak holds one batch's Arrow strings
# and intermediate columns, not the whole file's (a province's first load peaked at 1.97 GB
# when read at once, 1.34 GB in batches, of which 0.32 GB is the file's bytes).
BLOCK_SIZE = 1 << 24


class _NeedsRows(Exception):
    """The file needs the row-by-row parser: a problem to report, or a shape it reads better."""


def _distinct(cells: pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """(distinct cell texts, index of each cell's text): Python then works once per distinct text."""
    encoded = pc.dictionary_encode(cells.combine_chunks())
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False)


def _cleaned(texts: list[str]) -> list[str]:
    """clean() of each text; with very many distinct texts, only those that may change are cleaned."""
    if len(texts) < 200_000:
        return [clean(t) for t in texts]
    maybe = pc.match_substring_regex(pa.array(texts), _NEEDS_CLEAN).to_numpy(zero_copy_only=False)
    return [clean(t) if m else t for t, m in zip(texts, maybe, strict=True)]


def _text_column(cells: pa.ChunkedArray, col: Col) -> tuple[pd.Series, np.ndarray]:
    """(cleaned and normalised texts, "" where not stated; whether each cell is not stated)."""
    texts, index = _distinct(cells)
    cleaned = _cleaned(texts)
    missing = np.array([t in MISSING_MARKS for t in cleaned], dtype=bool)
    values = ["" if m else _normalised(col.normalise, t) for t, m in zip(cleaned, missing, strict=True)]
    column = pa.array(values, pa.string()).take(pa.array(index)) if values else pa.array([], pa.string())
    return column.to_pandas(), missing[index] if len(missing) else np.zeros(0, dtype=bool)


def _numbers(cells: pa.ChunkedArray, percent: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Series]:
    """(values, rounding margins, not stated, printed texts) of a number column; NaN and "" where not stated."""
    n = len(cells)
    values, halves = np.full(n, np.nan), np.full(n, np.nan)
    plain = pc.match_substring_regex(cells, _PLAIN_NUMBER).to_numpy(zero_copy_only=False)
    if plain.any():
        digits = pc.filter(cells, plain)
        values[plain] = pc.cast(digits, pa.float64()).to_numpy()
        dot = pc.find_substring(digits, ".").to_numpy()
        decimals = np.where(dot >= 0, pc.utf8_length(digits).to_numpy() - dot - 1, 0)
        table = [0.5 * 10 ** -int(d) if d else 0.5 for d in range(int(decimals.max()) + 1)]  # as half_unit()
        halves[plain] = np.where((dot < 0) & (values[plain] == 0), np.nan, np.array(table)[decimals])  # bare 0
    empty = pc.equal(cells, "").to_numpy(zero_copy_only=False)
    missing = empty.copy()
    other = np.flatnonzero(~plain & ~empty)
    texts = pc.take(cells, pa.array(other)).to_pylist() if len(other) else []
    shown = []
    for i, text in zip(other, texts, strict=True):
        try:
            value = parse_number(text, percent)
        except CellError:
            raise _NeedsRows from None
        if value is None:
            missing[i] = True
        else:
            values[i], halves[i] = value, half_unit(text)
        shown.append(printed(text))
    # A plain number's printed text is itself; only the few others are rewritten.
    texts_column = cells.combine_chunks().to_pandas() if n else pd.Series([], dtype=object)
    if len(other):
        texts_column.iloc[other] = shown
    return values, halves, missing, texts_column


def _money_factors(cells: pa.ChunkedArray | None, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(factor to 万元 per row, whether the row names a unit, the unit it names) from the 单位 column."""
    if cells is None:
        return np.full(n, MONEY_FACTORS[BASE_UNIT]), np.zeros(n, dtype=bool), np.full(n, "", dtype=object)
    texts, index = _distinct(cells)
    factors, named, units = [], [], []
    for text in _cleaned(texts):
        unit = money_unit(text) if text else BASE_UNIT
        if unit is None:
            raise _NeedsRows
        factors.append(MONEY_FACTORS[unit])
        named.append(bool(text))
        units.append(unit if text else "")
    return (
        np.array(factors, dtype=float)[index],
        np.array(named, dtype=bool)[index],
        np.array(units, dtype=object)[index],
    )


def parse_fast(
    schema: Schema, data: bytes, block_size: int = BLOCK_SIZE
) -> tuple[pd.DataFrame, list[Problem]] | None:
    """The frame and warnings of a clean UTF-8 file, read column by column, `block_size` bytes
    at a time; None when the file needs the row-by-row parser (any error, or a shape such as a
    cell spanning lines)."""
    try:
        return _parse_fast(schema, data, block_size)
    except (csv.Error, ValueError, TypeError, IndexError, KeyError, pa.ArrowException):
        return None  # whatever surprises the fast path, the row parser reads and reports


def _parse_fast(schema: Schema, data: bytes, block_size: int) -> tuple[pd.DataFrame, list[Problem]] | None:
    if schema.name in ("indicators", "targets") or not schema.yearly:
        return None  # indicators.csv reads units, targets.csv values by direction, row by row; sources.csv has dates
    numbers = _nonempty_lines(data)  # Excel and editors leave empty lines; Arrow skips them
    body = data.lstrip(b"\r\n") if numbers is not None else data
    end = body.find(b"\n")
    first = body[: end if end >= 0 else len(body)].decode("utf-8-sig", errors="replace").rstrip("\r")
    if not first.strip() or "\x00" in first or "\r" in first:
        return None
    delimiter = "\t" if "\t" in first and "," not in first and "，" not in first else ","
    try:
        header_cells = next(csv.reader([first], delimiter=delimiter))
    except csv.Error:  # a lone \r and the like: the row parser says where
        return None
    problems: list[Problem] = []
    header_line = int(numbers[0]) if numbers is not None and len(numbers) else 1
    header = parse_header(schema, header_cells, problems, header_line)
    if any(p.level == "error" for p in problems):
        return None
    skips_empty = numbers is not None
    if numbers is None:
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        numbers = np.arange(1, lines + 1, dtype="int64")
    try:
        # In batches: a province's file never exists whole as Arrow strings beside its frame.
        reader = pa_csv.open_csv(
            pa.BufferReader(data),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=block_size),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=b'"' in data, ignore_empty_lines=skips_empty
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(len(header_cells))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        if len(reader.schema) != len(header_cells):
            return None  # a cell spanning lines, lone \r line ends: read row by row
        limit = csv.field_size_limit()
        texts, numbers_of = [], _Filled(len(numbers))  # the frame's text pieces and number columns
        hashes, start = [], 0  # start: the first record of the batch, the header being record 0
        for batch in reader:
            if any((pc.max(pc.binary_length(column)).as_py() or 0) >= limit for column in batch.columns):
                return None  # a giant cell, which the row parser reports on its line
            end = start + batch.num_rows
            if end > len(numbers):
                return None  # more records than lines: a cell spanning lines
            skip = 1 if start == 0 else 0
            table = pa.Table.from_batches([batch]).slice(skip)
            if table.num_rows or not texts:
                part = _batch_columns(schema, header, table, numbers[start + skip : end])
                keys = pd.DataFrame({key: part[key] for key in schema.keys})
                hashes.append(pd.util.hash_pandas_object(keys, index=False).to_numpy())
                texts.append({name: column for name, column in part.items() if isinstance(column, pd.Series)})
                numbers_of.add({name: column for name, column in part.items() if not isinstance(column, pd.Series)})
            start = end
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, _NeedsRows):
        return None
    if start != len(numbers) or not texts:
        return None  # fewer records than lines: a cell spanning lines, lone \r line ends
    frame = _joined(texts, numbers_of.columns(), frame_columns(schema))
    if _repeated_keys(frame, schema.keys, np.concatenate(hashes)):
        return None  # keys are compared across batches: the row parser names both lines
    return frame, problems


def _repeated_keys(frame: pd.DataFrame, keys: list[str], hashes: np.ndarray) -> bool:
    """Whether two rows share their keys. Only the rows whose key hashes recur are compared
    exactly: frame.duplicated() over the whole frame would hold a code array per key column."""
    ordered = np.sort(hashes)
    recurring = ordered[1:][ordered[1:] == ordered[:-1]]
    return bool(len(recurring)) and bool(frame[np.isin(hashes, recurring)].duplicated(subset=keys).any())


def _nonempty_lines(data: bytes) -> np.ndarray | None:
    """The numbers (from 1) of the lines that are not empty, when some lines are empty; else None."""
    if not (data.startswith((b"\n", b"\r\n")) or b"\n\n" in data or b"\n\r\n" in data):
        return None
    codes = np.frombuffer(data, np.uint8)
    breaks = np.flatnonzero(codes == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(data)]))
    cr = (ends > starts) & (codes[np.maximum(ends - 1, 0)] == 13)
    return (np.flatnonzero(ends - starts - cr > 0) + 1).astype("int64")


def _batch_columns(schema: Schema, header: dict[str, HeaderCol], table: pa.Table, lines: np.ndarray) -> dict[str, object]:
    """The frame's columns of one batch of records; raises _NeedsRows at the first doubt."""
    raw = {alias: table.column(hc.index) for alias, hc in header.items()}
    # A record whose every cell is blank is skipped (Excel's trailing rows); such a record
    # has a blank year, so only those few are looked at cell by cell.
    years, index = _distinct(raw["year"])
    blank_year = np.array([not clean(t) for t in years], dtype=bool)
    keep_rows = np.ones(table.num_rows, dtype=bool)
    candidates = np.flatnonzero(blank_year[index]) if len(years) else np.zeros(0, dtype="int64")
    if len(candidates):  # vectorised: Excel may write 200,000 formatted empty rows
        taken = pa.array(candidates)
        blank = np.ones(len(candidates), dtype=bool)
        for column in table.columns:
            blank &= pc.match_substring_regex(pc.take(column, taken), _BLANK).to_numpy(zero_copy_only=False)
        keep_rows[candidates[blank]] = False
    if not keep_rows.all():
        table = table.filter(pa.array(keep_rows))
        raw = {alias: table.column(hc.index) for alias, hc in header.items()}
    n = table.num_rows
    factors, named_unit, row_units = _money_factors(raw.get("unit"), n)
    # The unit the row's figures were printed in (as _parse_row says). Money columns in different
    # units (余额(亿元) beside 付息(万元), or beside a column of the default 万元) are rewritten into
    # one by the row parser.
    units = money_units(header)
    if len(units) > 1:
        raise _NeedsRows
    printed = units.pop() if units else BASE_UNIT
    columns: dict[str, object] = {"unit": pd.Series(np.where(named_unit, row_units, printed), dtype="str")}
    for col in schema.columns:
        if col.alias == "unit":
            continue
        hc = header.get(col.alias)
        cells = raw.get(col.alias)
        if cells is None:  # an absent column reads as "not stated"
            cells = pa.chunked_array([pa.array([""] * n, pa.string())])
        if col.absent_flag:  # 无单列限额: stated as absent, not a figure
            texts, index = _distinct(cells)
            flags = np.array([t in col.absent for t in _cleaned(texts)], dtype=bool)[index] if texts else np.zeros(n, bool)
            columns[col.absent_flag] = flags
            if flags.any():
                cells = pc.if_else(pa.chunked_array([pa.array(flags)]), "", cells)
        if col.kind in ("money", "number", "percent"):
            values, halves, missing, columns[printed_column(col.alias)] = _numbers(cells, col.kind == "percent")
            if col.kind == "money":
                scale = factors
                if hc is not None and hc.unit:
                    if (named_unit & ~missing & (factors != MONEY_FACTORS[hc.unit])).any():
                        raise _NeedsRows  # a row's 单位 disagrees with the header
                    scale = np.full(n, MONEY_FACTORS[hc.unit])
                values, halves = values * scale, halves * scale
            stated = values[~missing]
            if col.integer and (stated != np.floor(stated)).any():
                raise _NeedsRows
            if (col.low is not None and (stated < col.low).any()) or (
                col.high is not None and (stated > col.high).any()
            ):
                raise _NeedsRows
            columns[col.alias], columns[margin(col.alias)] = values, halves
        elif col.kind == "year":
            texts, index = _distinct(cells)
            years = np.array([_year_or_rows(t) for t in texts], dtype="int64")
            columns["year"] = years[index] if texts else np.zeros(0, dtype="int64")
            missing = np.zeros(n, dtype=bool)
        else:
            columns[col.alias], missing = _text_column(cells, col)
            if col.default and missing.any():
                columns[col.alias] = columns[col.alias].where(~missing, col.default)
            if col.warn_unknown and not columns[col.alias].isin(col.warn_unknown).all():
                raise _NeedsRows  # the row parser warns, naming the line
        if (col.required or col.key) and hc is not None and missing.any():
            raise _NeedsRows
    if schema.one_of and np.logical_and.reduce([np.isnan(columns[alias]) for alias in schema.one_of]).any():
        raise _NeedsRows  # a row with neither 数量 nor 占比
    columns["line"] = lines[keep_rows]
    return columns


class _Filled:
    """The batches' number columns, written one after another into arrays sized for the whole
    file: each batch's own arrays are freed at once (glibc would keep their pages while the
    joined copy is made, ~0.1 GB at province scale), and joining copies nothing."""

    def __init__(self, capacity: int):
        self.capacity, self.rows, self.arrays = capacity, 0, {}

    def add(self, part: dict[str, np.ndarray]) -> None:
        n = len(part["line"])
        for name, column in part.items():
            if name not in self.arrays:
                self.arrays[name] = np.empty(self.capacity, dtype=column.dtype)
            self.arrays[name][self.rows : self.rows + n] = column
        self.rows += n

    def columns(self) -> dict[str, np.ndarray]:
        # A file with many skipped blank rows would leave much unused: copied then.
        cut = (lambda a: a[: self.rows]) if self.rows * 8 >= self.capacity * 7 else (lambda a: a[: self.rows].copy())
        return {name: cut(array) for name, array in self.arrays.items()}


def _joined(texts: list[dict[str, pd.Series]], numbers: dict[str, np.ndarray], names: list[str]) -> pd.DataFrame:
    """One frame of the batches' columns; each batch's text pieces are dropped as they are joined."""
    columns = {}
    for name in names:
        if name in numbers:
            columns[name] = numbers[name]
            continue
        pieces = [part.pop(name) for part in texts]
        pieces = [p for p in pieces if len(p)] or pieces[:1]  # an empty batch's texts are typeless
        columns[name] = pieces[0] if len(pieces) == 1 else pd.concat(pieces, ignore_index=True)
    frame = pd.DataFrame(columns, copy=False)  # not consolidated: no second copy of the numbers
    frame["year"] = frame["year"].astype("int64")
    return frame


def _year_or_rows(text: str) -> int:
    try:
        return parse_year(text)
    except CellError:
        raise _NeedsRows from None


def _normalised(normalise, value: str) -> str:
    if not value or normalise is None:
        return value
    try:
        return normalise(value)
    except CellError:
        raise _NeedsRows from None


