"""The one loader: schema per file, parsing, validation and normalisation.

Implements ../shared/docs/csv-contract.md. Every problem names file, line, column and
what was expected; a file with any error is not loaded at all, the others still are.
Money is normalised to 万元; the reader picks the display unit.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import logging
import math
import os
import re
import threading
import time
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, cached_property
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from components import vocab

BASE_UNIT = "万元"
MONEY_FACTORS = {"元": 1e-4, "千元": 1e-1, "万元": 1.0, "百万元": 100.0, "亿元": 1e4}
MONEY_UNIT_SYNONYMS = {"万": "万元", "亿": "亿元", "千": "千元", "百万": "百万元"}
MISSING_MARKS = {"", "-", "--", "—", "——", "－", "–", "/", "／", "\\"}
MAX_ERRORS_PER_FILE = 50
SHOWN_CHARS = 40  # cell text quoted back in a message is cut here: one huge cell must not flood the page
SETTLE_SECONDS = 1.0  # a file written less than this long ago may still be being written

# ---------------------------------------------------------------- schema


def _canon(synonyms: Mapping[str, str], known: tuple[str, ...], label: str, strict: bool):
    """A normaliser for a vocabulary column: synonyms map to canonical names."""

    def normalise(text: str) -> str:
        value = synonyms.get(text, text)
        if strict and value not in known and value != vocab.TOTAL:
            raise CellError(f"「{shown(text)}」不是有效的{label}", "、".join(known))
        return value

    return normalise


@dataclass(frozen=True)
class Col:
    name: str  # Chinese header
    alias: str  # English alias, also the column name in the frame
    kind: str = "text"  # text | year | money | number | percent | unit
    required: bool = False  # column must be present and every cell non-empty
    key: bool = False
    optional_key: bool = False  # key column whose column may be absent and cell empty
    units: tuple[str, ...] = ()  # natural header units of a non-money column
    normalise: Callable[[str], str] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False


@dataclass(frozen=True)
class Schema:
    name: str
    file: str
    label: str
    columns: tuple[Col, ...]

    @property
    def keys(self) -> list[str]:
        return [c.alias for c in self.columns if c.key or c.optional_key]


YEAR = Col("年度", "year", "year", required=True, key=True)
REGION = Col("地区", "region", required=True, key=True)
UNIT = Col("单位", "unit", "unit")
NOTE = Col("说明", "note")
SOURCE = Col("来源", "source")
GRADE_NORM = _canon(vocab.GRADE_SYNONYMS, vocab.GRADES, "等级", strict=True)
SECTION_NORM = _canon(vocab.SECTION_SYNONYMS, vocab.SECTIONS, "板块", strict=True)

SCHEMAS: dict[str, Schema] = {
    s.name: s
    for s in (
        Schema(
            "transfers",
            "transfers.csv",
            "税收返还和转移支付",
            (
                YEAR,
                REGION,
                Col(
                    "类别",
                    "category",
                    required=True,
                    key=True,
                    normalise=_canon(vocab.CATEGORY_SYNONYMS, vocab.CATEGORIES, "类别", False),
                ),
                Col("项目", "item", optional_key=True),
                Col("预算数", "budget", "money"),
                Col("上年执行数", "prior_actual", "money"),
                Col("增减额", "stated_change", "money"),
                Col("增减率", "stated_change_pct", "percent", units=("%",)),
                UNIT,
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "debt",
            "debt.csv",
            "政府债务",
            (
                YEAR,
                REGION,
                Col(
                    "债务类型",
                    "debt_type",
                    required=True,
                    key=True,
                    normalise=_canon(vocab.DEBT_TYPE_SYNONYMS, vocab.DEBT_TYPES, "债务类型", True),
                ),
                Col("限额", "limit", "money"),
                Col("余额", "balance", "money"),
                Col("新增债券", "new_bonds", "money"),
                Col("再融资债券", "refinancing_bonds", "money"),
                Col("还本", "principal_repaid", "money"),
                Col("付息", "interest_paid", "money"),
                Col("平均期限", "avg_term_years", "number", units=("年",), low=0, high=100),
                Col("平均利率", "avg_rate_pct", "percent", units=("%",), low=0, high=100),
                UNIT,
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "evaluations",
            "evaluations.csv",
            "绩效评价对象",
            (
                YEAR,
                REGION,
                Col("评价方式", "method", required=True, key=True),
                Col(
                    "对象类型",
                    "target_type",
                    required=True,
                    normalise=_canon(vocab.TARGET_TYPE_SYNONYMS, (), "对象类型", False),
                ),
                Col("评价对象", "target", required=True, key=True),
                Col("涉及金额", "amount", "money"),
                Col("得分", "score", "number", units=("分",), low=0, high=100),
                Col("等级", "grade", normalise=GRADE_NORM),
                UNIT,
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "grades",
            "grades.csv",
            "评价等级分布",
            (
                YEAR,
                REGION,
                Col("评价方式", "method", required=True, key=True),
                Col("等级", "grade", required=True, key=True, normalise=GRADE_NORM),
                Col("数量", "count", "number", required=True, units=("个", "项", "家"), low=0, integer=True),
                Col("涉及金额", "amount", "money"),
                UNIT,
                SOURCE,
            ),
        ),
        Schema(
            "indicators",
            "indicators.csv",
            "绩效管理指标",
            (
                YEAR,
                REGION,
                Col("板块", "section", normalise=SECTION_NORM),
                Col("指标", "indicator", required=True, key=True),
                Col("数值", "value", "percent", required=True, units=("*",)),
                Col("单位", "unit"),  # free text here: 家, 个, %, 万元 …
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "notes",
            "notes.csv",
            "文字说明",
            (
                YEAR,
                REGION,
                Col("板块", "section", required=True, key=True, normalise=SECTION_NORM),
                Col("标题", "title", required=True, key=True),
                Col("内容", "text", required=True),
                SOURCE,
            ),
        ),
    )
}

# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One error or warning, located as precisely as the input allows."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    level: str = "error"  # error | warning

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" 第{self.line}行"
        if self.column:
            where += f" 「{self.column}」列"
        kind = "错误" if self.level == "error" else "提示"
        return f"{where}（{kind}）：{self.message}"


class CellError(ValueError):
    def __init__(self, message: str, expected: str = "", line: int | None = None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.line = line  # set where the error is about the file, not one cell

    def __str__(self) -> str:
        return f"{self.message}，应为{self.expected}" if self.expected else self.message


# ---------------------------------------------------------------- cell parsers

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_YEAR = re.compile(r"^(\d{4})(?:年度?)?$")
_HEADER_UNIT = re.compile(r"^(.*?)\s*[(\[]\s*([^()\[\]]*?)\s*[)\]]$")
MAX_HEADER_CHARS = 64
NUMBER_EXPECTED = "数字（如 1722、1,722.50 或 -59.15），空白或“-”表示未公布"


def clean(text: str) -> str:
    """Strip ordinary, full-width and zero-width spaces and a stray BOM."""
    return text.strip().strip("\u3000\ufeff\u200b").strip()


def shown(text: str) -> str:
    """Cell text as a message quotes it: cut short (a cell may hold a megabyte)."""
    text = clean(text)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}…（共 {len(text)} 个字符）"


def is_missing_mark(text: str) -> bool:
    return clean(text) in MISSING_MARKS


def parse_number(text: str, percent: bool = False) -> float | None:
    """A published number; None when the cell says "not stated". Raises CellError."""
    raw = clean(text)
    if raw in MISSING_MARKS:
        return None
    s = unicodedata.normalize("NFKC", raw).replace(" ", "").replace("\u2212", "-")
    if s.endswith("%"):
        if not percent:
            raise CellError(f"「{shown(raw)}」带百分号，但这一列不是百分比", "不带 % 的数字")
        s = s[:-1]
    if _NUMBER.match(s):
        return float(s.replace(",", ""))
    if _SCIENTIFIC.match(s):
        raise CellError(
            f"「{shown(raw)}」是科学计数法（Excel 列宽不够时会这样保存，可能丢失精度）",
            "完整数字：请在 Excel 中把该列设为“数值”格式后重新保存",
        )
    raise CellError(f"「{shown(raw)}」不是数字", NUMBER_EXPECTED)


def half_unit(text: str) -> float:
    """Half a unit of the last printed digit: 4.50 stands for anything in [4.495, 4.505).

    NaN for a bare zero: tables of 4.50 and 56.21 print nothing as "0", which shows no
    precision of its own; the checks give it that of the figures it is compared with.
    """
    s = unicodedata.normalize("NFKC", clean(text)).rstrip("%").strip()
    if "." in s:
        return 0.5 * 10 ** -(len(s) - s.index(".") - 1)
    return math.nan if s.lstrip("+-").strip("0") == "" else 0.5


def margin(alias: str) -> str:
    """The column holding a number's rounding margin (same unit as the number)."""
    return f"_m_{alias}"


def parse_year(text: str) -> int:
    s = unicodedata.normalize("NFKC", clean(text))
    m = _YEAR.match(s)
    if not m or not 1949 <= int(m.group(1)) <= 2100:
        raise CellError(f"「{shown(text)}」不是年度", "四位年份，如 2023 或 2023年")
    return int(m.group(1))


def money_unit(text: str) -> str | None:
    s = unicodedata.normalize("NFKC", clean(text)).replace(" ", "")
    s = MONEY_UNIT_SYNONYMS.get(s, s)
    return s if s in MONEY_FACTORS else None


# ---------------------------------------------------------------- decoding


def line_of(raw: bytes, offset: int) -> int:
    """The line (from 1) on which byte `offset` stands."""
    return raw.count(b"\n", 0, offset) + 1


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding name. UTF-8 (with or without BOM), then GB18030 (⊃ GBK).

    A file that is neither raises CellError with the line of the first bad byte.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CellError("文件是 UTF-16 编码", "UTF-8 或 GBK：在 Excel 中另存为“CSV UTF-8（逗号分隔）”", 1)
    if (nul := raw.find(b"\x00")) >= 0:
        raise CellError("文件含有空字节，不是文本 CSV 文件", "逗号分隔的文本文件（.csv）", line_of(raw, nul))
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError as exc:
        raise CellError(
            f"文件编码无法识别（第 {exc.start + 1} 个字节起既不是 UTF-8 也不是 GBK）",
            "UTF-8 或 GBK：在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
            line_of(raw, exc.start),
        ) from None


# ---------------------------------------------------------------- header


@dataclass
class HeaderCol:
    col: Col
    index: int
    unit: str | None  # unit stated in the header, already canonical


def _match_column(schema: Schema, name: str) -> Col | None:
    low = name.lower()
    for col in schema.columns:
        if name == col.name or low == col.alias.lower():
            return col
    return None


def parse_header(schema: Schema, header: list[str], problems: list[Problem], line: int = 1) -> dict[str, HeaderCol]:
    """Known columns by alias; problems are reported on the header's own line."""
    found: dict[str, HeaderCol] = {}

    def report(message: str, column: str, level: str = "error") -> None:
        problems.append(Problem(schema.file, message, line, column, level))

    for index, cell in enumerate(header):
        name = shown(cell)
        text = unicodedata.normalize("NFKC", clean(cell))
        if not text:
            continue
        col = _match_column(schema, text)
        unit = None
        # Known names are short; the length bound keeps the regex linear on a huge cell.
        if col is None and len(text) <= MAX_HEADER_CHARS and (m := _HEADER_UNIT.match(text)):
            col = _match_column(schema, m.group(1).strip())
            unit = m.group(2).replace(" ", "")
        if col is None:
            report(f"未知列「{name}」已忽略", name, "warning")
            continue
        if col.alias in found:
            report(f"列「{col.name}」出现了两次（第{found[col.alias].index + 1}列和第{index + 1}列）", name)
            continue
        if unit is not None:
            unit, error = _header_unit(col, unit)
            if error:
                report(error, name)
        found[col.alias] = HeaderCol(col, index, unit)
    for col in schema.columns:
        if (col.required or col.key) and col.alias not in found:
            report(f"缺少必需列「{col.name}」（英文列名 {col.alias}）", col.name)
    return found


def _header_unit(col: Col, unit: str) -> tuple[str | None, str | None]:
    """(canonical unit, error): money units normalised, other columns only their natural unit."""
    if col.kind == "money":
        canonical = money_unit(unit)
        return canonical, None if canonical else f"列标题中的单位「{unit}」无法识别"
    if "*" in col.units or unit in col.units:
        return unit, None
    natural = "、".join(col.units) if col.units else "不带单位的列名"
    return None, f"列标题中的单位「{unit}」不适用于「{col.name}」，应为{natural}"


# ---------------------------------------------------------------- rows


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(first physical line number, cells) per non-blank record; tab-separated files too.

    Raises CellError, with the line, for a quote that never closes or a giant cell.
    """
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first and "，" not in first else ","
    try:
        return _read_records(text, delimiter, strict=True)
    except csv.Error:
        # Text after a closing quote ("1,722"元): read as Excel would, leniently.
        return _read_records(text, delimiter, strict=False)


def _read_records(text: str, delimiter: str, strict: bool) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    records = []
    previous = 0
    try:
        for cells in reader:
            start = previous + 1
            previous = reader.line_num
            if any(clean(c) for c in cells):
                records.append((start, cells))
    except csv.Error as exc:
        line = previous + 1
        if "field limit" in str(exc):
            raise CellError(
                f"从这一行起的一个单元格超过 {csv.field_size_limit():,} 个字符", "正常长度的单元格", line
            ) from None
        if "unexpected end of data" in str(exc):
            raise CellError(
                "从这一行起有一个引号没有配对，文件在引号中结束（可能只保存了一半）",
                "成对的英文引号；或在 Excel 中重新另存为 CSV",
                line,
            ) from None
        if strict:
            raise
        raise CellError(f"CSV 格式错误：{exc}", "逗号分隔、引号成对的 CSV 文件", line) from None
    return records


def _parse_row(
    schema: Schema, header: dict[str, HeaderCol], line: int, cells: list[str], problems: list[Problem]
) -> dict | None:
    file = schema.file
    row: dict = {"line": line}
    ok = True

    def fail(col: Col, error: CellError | str) -> None:
        nonlocal ok
        ok = False
        problems.append(Problem(file, str(error), line, col.name))

    def cell(alias: str) -> str:
        hc = header.get(alias)
        return cells[hc.index] if hc is not None and hc.index < len(cells) else ""

    row_unit = None
    if "unit" in header and schema.name != "indicators":
        raw_unit = clean(cell("unit"))
        if raw_unit:
            row_unit = money_unit(raw_unit)
            if row_unit is None:
                fail(UNIT, CellError(f"单位「{shown(raw_unit)}」无法识别", "元、万元或亿元（空白表示万元）"))
    if schema.name != "indicators":
        # The unit the row's figures were printed in, so that a check can quote them alike.
        header_units = {hc.unit for hc in header.values() if hc.col.kind == "money" and hc.unit}
        printed = header_units.pop() if len(header_units) == 1 else ("" if header_units else BASE_UNIT)
        row["unit"] = row_unit or printed

    for col in schema.columns:
        if col.alias == "unit" and schema.name != "indicators":
            continue
        text = cell(col.alias)
        hc = header.get(col.alias)
        if is_missing_mark(text):
            if (col.required or col.key) and hc is not None:
                fail(col, CellError("不能为空", f"填写{col.name}"))
            row[col.alias] = math.nan if col.kind in ("money", "number", "percent") else ""
            if col.kind == "year":
                row[col.alias] = None
            continue
        try:
            if col.kind == "year":
                row[col.alias] = parse_year(text)
            elif col.kind in ("money", "number", "percent"):
                value = parse_number(text, percent=col.kind == "percent")
                if col.kind == "money":
                    unit = hc.unit if hc else None
                    if unit and row_unit and unit != row_unit:
                        fail(
                            UNIT,
                            CellError(
                                f"本行单位为「{row_unit}」，但「{col.name}」列标题注明为「{unit}」",
                                "与列标题一致的单位，或留空",
                            ),
                        )
                        continue
                    factor = MONEY_FACTORS[unit or row_unit or BASE_UNIT]
                    value, row[margin(col.alias)] = value * factor, half_unit(text) * factor
                elif col.integer and value != int(value):
                    raise CellError(f"「{shown(text)}」不是整数", "非负整数")
                if col.low is not None and value < col.low or col.high is not None and value > col.high:
                    raise CellError(
                        f"「{shown(text)}」超出范围",
                        f"{col.low:g} 到 {col.high:g} 之间" if col.high is not None else f"不小于 {col.low:g}",
                    )
                row[col.alias] = value
                row.setdefault(margin(col.alias), half_unit(text))
            else:
                value = clean(text)
                row[col.alias] = col.normalise(value) if col.normalise else value
        except CellError as exc:
            fail(col, exc)
    if schema.name == "indicators" and ok:
        ok = _indicator_unit(schema, header, row, cell("value"), line, problems)
        row["section"] = row.get("section") or "绩效管理"
    return row if ok else None


def _indicator_unit(schema, header, row, raw_value, line, problems) -> bool:
    """indicators.csv: 单位 is free text; a % in the cell or a header unit may supply it."""
    unit = clean(row.get("unit", ""))
    header_unit = header["value"].unit if "value" in header else None
    cell_pct = unicodedata.normalize("NFKC", clean(raw_value)).endswith("%")
    for implied in (header_unit, "%" if cell_pct else None):
        if implied and unit and money_unit(unit) != money_unit(implied) and unit != implied:
            problems.append(
                Problem(schema.file, f"单位「{shown(unit)}」与数值或列标题中的「{implied}」不一致", line, "单位")
            )
            return False
        unit = unit or implied or ""
    if (canonical := money_unit(unit)) is not None:
        row["value"] = row["value"] * MONEY_FACTORS[canonical]
        unit = BASE_UNIT
    row["unit"] = unit
    return True


def parse_text(schema: Schema, text: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse one file's text. Returns (frame or None when any error, problems)."""
    fast = parse_fast(schema, text.encode("utf-8"))
    return fast if fast is not None else parse_rows(schema, text)


def parse_rows(schema: Schema, text: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse one file row by row: every problem is found and located here."""
    problems: list[Problem] = []
    try:
        records = _records(text)
    except CellError as exc:
        return None, [Problem(schema.file, str(exc), exc.line)]
    if not records:
        return _empty(schema), [Problem(schema.file, "文件为空（没有表头）", 1, level="warning")]
    header_line, header_cells = records[0]
    header = parse_header(schema, header_cells, problems, header_line)
    if any(p.level == "error" for p in problems):
        return None, problems
    rows = []
    seen: dict[tuple, int] = {}
    for line, cells in records[1:]:
        if len(cells) > len(header_cells) and any(clean(c) for c in cells[len(header_cells) :]):
            problems.append(
                Problem(
                    schema.file,
                    f"本行有 {len(cells)} 个单元格，多于表头的 {len(header_cells)} 列（可能是数字里的逗号没有加引号）",
                    line,
                )
            )
            continue
        row = _parse_row(schema, header, line, cells, problems)
        if row is None:
            continue
        key = tuple(row.get(k, "") for k in schema.keys)
        if key in seen:
            shown = "、".join(str(k) for k in key if k != "")
            problems.append(
                Problem(
                    schema.file,
                    f"与第{seen[key]}行重复（同一{'/'.join(c.name for c in schema.columns if c.alias in schema.keys)}：{shown}）",
                    line,
                )
            )
            continue
        seen[key] = line
        rows.append(row)
        if sum(p.level == "error" for p in problems) >= MAX_ERRORS_PER_FILE:
            problems.append(Problem(schema.file, f"错误超过 {MAX_ERRORS_PER_FILE} 处，其余未检查", line))
            break
    if any(p.level == "error" for p in problems):
        return None, problems
    frame = pd.DataFrame(rows, columns=_columns(schema))
    frame["year"] = frame["year"].astype("int64")
    return frame, problems


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
_PLAIN_NUMBER = r"^-?\d+(?:\.\d+)?$"  # float() and Arrow's cast read these alike


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


def _numbers(cells: pa.ChunkedArray, percent: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, rounding margins, not stated) of a number column; NaN where not stated."""
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
    for i, text in zip(other, texts, strict=True):
        try:
            value = parse_number(text, percent)
        except CellError:
            raise _NeedsRows from None
        if value is None:
            missing[i] = True
        else:
            values[i], halves[i] = value, half_unit(text)
    return values, halves, missing


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


def parse_fast(schema: Schema, data: bytes) -> tuple[pd.DataFrame, list[Problem]] | None:
    """The frame and warnings of a clean UTF-8 file, read column by column; None when the
    file needs the row-by-row parser (any error, or a shape such as a cell spanning lines)."""
    try:
        return _parse_fast(schema, data)
    except (csv.Error, ValueError, TypeError, IndexError, KeyError, pa.ArrowException):
        return None  # whatever surprises the fast path, the row parser reads and reports


def _parse_fast(schema: Schema, data: bytes) -> tuple[pd.DataFrame, list[Problem]] | None:
    if schema.name == "indicators":
        return None  # indicators.csv reads units row by row, and is always small
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)].decode("utf-8-sig", errors="replace").rstrip("\r")
    if not first.strip() or "\x00" in first or "\r" in first:
        return None
    delimiter = "\t" if "\t" in first and "," not in first and "，" not in first else ","
    try:
        header_cells = next(csv.reader([first], delimiter=delimiter))
    except csv.Error:  # a lone \r and the like: the row parser says where
        return None
    problems: list[Problem] = []
    header = parse_header(schema, header_cells, problems)
    if any(p.level == "error" for p in problems):
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=b'"' in data, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(len(header_cells))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if table.num_columns != len(header_cells) or table.num_rows != lines:
        return None  # a cell spanning lines, lone \r line ends, blank lines: read row by row
    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(column)).as_py() or 0) >= limit for column in table.columns):
        return None  # a giant cell, which the row parser reports on its line
    try:
        return _frame_fast(schema, header, table.slice(1)), problems
    except _NeedsRows:
        return None


def _frame_fast(schema: Schema, header: dict[str, HeaderCol], table: pa.Table) -> pd.DataFrame:
    raw = {alias: table.column(hc.index) for alias, hc in header.items()}
    # A record whose every cell is blank is skipped (Excel's trailing rows); such a record
    # has a blank year, so only those few are looked at cell by cell.
    years, index = _distinct(raw["year"])
    blank_year = np.array([not clean(t) for t in years], dtype=bool)
    keep_rows = np.ones(table.num_rows, dtype=bool)
    for i in np.flatnonzero(blank_year[index]) if len(years) else ():
        keep_rows[i] = any(clean(table.column(j)[i].as_py()) for j in range(table.num_columns))
    if not keep_rows.all():
        table = table.filter(pa.array(keep_rows))
        raw = {alias: table.column(hc.index) for alias, hc in header.items()}
    n = table.num_rows
    factors, named_unit, row_units = _money_factors(raw.get("unit"), n)
    # The unit the row's figures were printed in (as _parse_row says), so a check can quote them alike.
    header_units = {hc.unit for hc in header.values() if hc.col.kind == "money" and hc.unit}
    printed = header_units.pop() if len(header_units) == 1 else ("" if header_units else BASE_UNIT)
    columns: dict[str, object] = {"unit": pd.Series(np.where(named_unit, row_units, printed), dtype="str")}
    for col in schema.columns:
        if col.alias == "unit":
            continue
        hc = header.get(col.alias)
        cells = raw.get(col.alias)
        if cells is None:  # an absent column reads as "not stated"
            cells = pa.chunked_array([pa.array([""] * n, pa.string())])
        if col.kind in ("money", "number", "percent"):
            values, halves, missing = _numbers(cells, col.kind == "percent")
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
            columns["year"] = np.array([_year_or_rows(t) for t in texts], dtype="int64")[index] if texts else []
            missing = np.zeros(n, dtype=bool)
        else:
            columns[col.alias], missing = _text_column(cells, col)
        if (col.required or col.key) and hc is not None and missing.any():
            raise _NeedsRows
    columns["line"] = (np.flatnonzero(keep_rows) + 2).astype("int64")  # the header is line 1
    frame = pd.DataFrame({name: columns[name] for name in _columns(schema)})
    frame["year"] = frame["year"].astype("int64")
    if frame.duplicated(subset=schema.keys).any():
        raise _NeedsRows
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


def _columns(schema: Schema) -> list[str]:
    numeric = [margin(c.alias) for c in schema.columns if c.kind in ("money", "number", "percent")]
    return [c.alias for c in schema.columns] + ["line"] + numeric


def _empty(schema: Schema) -> pd.DataFrame:
    frame = pd.DataFrame(columns=_columns(schema))
    return frame.astype({"year": "int64", "line": "int64"})


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


# ---------------------------------------------------------------- parsed cache

VIEW_CACHE_SIZE = 256  # views remembered per snapshot and process (VIEW_CACHE_SIZE=0: none)
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


# ---------------------------------------------------------------- folder


@dataclass(frozen=True)
class FileState:
    """What happened to one file of the folder."""

    schema: Schema
    status: str  # loaded | missing | rejected | stale (new version rejected, old one kept)
    encoding: str | None = None
    rows: int = 0
    modified: datetime | None = None


@dataclass(frozen=True)
class Dataset:
    """One consistent snapshot of a data folder. Shared between viewers: read-only."""

    folder: Path | None  # None: files given as bytes (the 数据检查 page)
    frames: Mapping[str, pd.DataFrame]
    files: Mapping[str, FileState]
    problems: tuple[Problem, ...] = ()
    version: str = ""  # changes whenever a file in service changes; the same in every worker
    names: Mapping[str, str] = field(default_factory=dict)  # file name shown, where not the contract's
    view_cache_size: int = 0
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _views: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False, compare=False)
    _views_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def frame(self, name: str) -> pd.DataFrame:
        """The file's rows (an empty frame with the right columns when it is absent).

        A shallow copy: under pandas copy-on-write, changing it never reaches the
        shared snapshot.
        """
        return self.frames[name].copy(deep=False)

    def derived(self, key, build: Callable[[Dataset], object]):
        """`build(self)`, computed once per snapshot on first use and shared by every viewer,
        like the frames themselves. Two threads may build it at once; both get the first stored."""
        try:
            return self._derived[key]
        except KeyError:
            return self._derived.setdefault(key, build(self))

    def cached(self, view: Callable, *args):
        """`view(self, *args)`, remembered for this snapshot.

        A page's view is a pure function of the data and its filters, and many viewers ask
        for the same few (their district, this year): building its figures costs 50–100 ms,
        handing out a remembered one about 3 ms. Read-only, like the frames; the least
        recently used are dropped beyond `view_cache_size`, and a new snapshot starts empty.
        """
        if self.view_cache_size <= 0:
            return view(self, *args)
        key = (view.__module__, view.__qualname__, _hashable(args))
        with self._views_lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        value = view(self, *args)
        with self._views_lock:
            self._views[key] = value
            while len(self._views) > self.view_cache_size:
                self._views.popitem(last=False)
        return value

    def rows(self, name: str, year: int | None = None, region: str | None = None) -> pd.DataFrame:
        """What filters.select(frame(name), year, region) gives, without scanning the whole file:
        a province's evaluations.csv has millions of rows, a view needs one region's year."""
        if year is None and region is None:
            return self.frame(name)
        wanted = {"year": year, "region": region}
        by = tuple(column for column, value in wanted.items() if value is not None)
        key = tuple(wanted[column] for column in by)
        positions = self.derived(("positions", name, by), _positions(name, list(by))).get(key, _NO_ROWS)
        if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
            return self.frames[name].iloc[positions[0] : positions[-1] + 1]  # a run of rows: no copy
        return self.frames[name].take(positions)

    def keys(self, name: str) -> pd.DataFrame:
        """The file's (year, region) pairs in first-seen order: years_of and regions_of read the
        same from it as from the whole file."""
        return self.derived(("keys", name), _keys(name))

    @cached_property
    def findings(self) -> list[Problem]:
        """Checks of the published figures (rounding-aware warnings), computed once per snapshot."""
        from components.checks import check_all  # checks builds on this module

        return check_all(dict(self.frames), self.names)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


_NO_ROWS = np.array([], dtype="int64")


def _hashable(value):
    """Filter values as a cache key: a multiple choice arrives as a list."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value


def _positions(name: str, by: list[str]) -> Callable[[Dataset], dict]:
    def build(dataset: Dataset) -> dict:
        frame = dataset.frames[name]
        if frame.empty:
            return {}
        groups = frame.groupby(by, sort=False).indices  # keys are tuples, even of one column
        return {key if isinstance(key, tuple) else (key,): positions for key, positions in groups.items()}

    return build


def _keys(name: str) -> Callable[[Dataset], pd.DataFrame]:
    def build(dataset: Dataset) -> pd.DataFrame:
        return dataset.frames[name][["year", "region"]].drop_duplicates().reset_index(drop=True)

    return build


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
                self._parsed.setdefault(name, (_empty(schema), [], FileState(schema, "missing")))
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
            return _empty(schema), [], FileState(schema, "missing")
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
            frames[name] = frame if frame is not None else _empty(schema)
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


# ---------------------------------------------------------------- files given as bytes

# What a .csv that is really a workbook starts with (Excel users rename files).
WORKBOOK_MAGIC = {b"PK\x03\x04": "Excel 工作簿（.xlsx）或压缩包", b"\xd0\xcf\x11\xe0": "旧版 Excel 工作簿（.xls）"}
SAVE_AS_CSV = "在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”后再上传"


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

    if not name.lower().endswith(".csv"):
        return refuse(f"不是 CSV 文件（文件名应以 .csv 结尾）：请{SAVE_AS_CSV}")
    for magic, what in WORKBOOK_MAGIC.items():
        if raw.startswith(magic):
            return refuse(f"文件内容是{what}，不是 CSV 文本：请{SAVE_AS_CSV}", 1)
    schema = next((s for s in SCHEMAS.values() if s.file == name.lower()), None)
    by_header = schema is None
    if by_header:
        schema = schema_from_header(raw)
        if schema is None:
            files = "、".join(s.file for s in SCHEMAS.values())
            return refuse(f"无法判断是哪一种数据：文件名不是 {files} 之一，表头也不完全符合其中任何一种", 1)
    frame, problems, encoding = parse_bytes(schema, raw, name)
    return Loaded(name, schema, frame, tuple(problems), encoding, by_header)


def schema_from_header(raw: bytes) -> Schema | None:
    """The one schema whose required columns the header has all of (the most columns wins)."""
    try:
        text, _ = decode(raw)
        header = next((c for _, c in _records(text)), None)
    except CellError:
        return None
    if header is None:
        return None
    fits: dict[str, int] = {}
    for schema in SCHEMAS.values():
        problems: list[Problem] = []
        found = parse_header(schema, header, problems)
        if not any(p.level == "error" for p in problems):
            fits[schema.name] = len(found)
    best = sorted(fits.items(), key=lambda kv: -kv[1])
    if not best or (len(best) > 1 and best[0][1] == best[1][1]):
        return None
    return SCHEMAS[best[0][0]]


def dataset_of(loaded: Sequence[Loaded]) -> Dataset:
    """A snapshot of files given as bytes, as the dashboard would serve them (the first file of each kind)."""
    frames = {name: _empty(schema) for name, schema in SCHEMAS.items()}
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
            files[item.schema.name] = FileState(item.schema, "loaded", item.encoding, len(item.frame))
        else:
            files[item.schema.name] = FileState(item.schema, "rejected", item.encoding)
    return Dataset(None, frames, files, tuple(problems), names=names)
