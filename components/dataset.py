"""The one loader: schema per file, parsing, validation and normalisation.

Implements ../shared/docs/csv-contract.md. Every problem names file, line, column and
what was expected; a file with any error is not loaded at all, the others still are.
Money is normalised to 万元; the reader picks the display unit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import math
import re
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path, PurePosixPath

import pandas as pd

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
    try:
        text, encoding = decode(raw)
    except CellError as exc:
        problems, encoding, frame = [Problem(schema.file, str(exc), exc.line)], None, None
    else:
        frame, problems = parse_text(schema, text)
    if file and file != schema.file:
        problems = [replace(p, file=file) for p in problems]
    return frame, problems, encoding


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

    def frame(self, name: str) -> pd.DataFrame:
        """The file's rows (an empty frame with the right columns when it is absent).

        A shallow copy: under pandas copy-on-write, changing it never reaches the
        shared snapshot.
        """
        return self.frames[name].copy(deep=False)

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
    ):
        self.folder = Path(folder)
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
        return Dataset(self.folder, frames, files, tuple(problems), version)


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
