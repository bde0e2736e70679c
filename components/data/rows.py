"""The row-by-row parser: every problem is found and located here."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from components.data.cells import (
    half_unit,
    is_missing_mark,
    margin,
    money_unit,
    parse_date,
    parse_number,
    parse_year,
    printed_column,
    rescaled,
)
from components.data.cells import (
    printed as printed_text,
)
from components.data.schema import (
    BASE_UNIT,
    MAX_ERRORS_PER_FILE,
    MONEY_FACTORS,
    UNIT,
    CellError,
    Col,
    Problem,
    Schema,
    clean,
    shown,
)

# ---------------------------------------------------------------- header

MAX_COLUMNS = 200  # the widest contract file has 13 columns
MAX_PROBLEMS_PER_FILE = 60  # 50 errors stop a file; its warnings fill the rest
EMPTY_FILE = "文件为空（0 字节或没有表头），可能是保存失败：请重新保存或替换该文件"

_HEADER_UNIT = re.compile(r"^(.*?)\s*[(\[]\s*([^()\[\]]*?)\s*[)\]]$")
MAX_HEADER_CHARS = 64
_UNIT_LINE = re.compile(r"^(?:金额)?单位\s*:\s*(.{1,10})$")  # after NFKC: 「单位：万元」「金额单位:亿元」
MAX_LINES_ABOVE = 20  # title and unit lines looked through for the header; a table has two or three



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


def _header_name(schema: Schema, cell: str) -> Col | None:
    text = unicodedata.normalize("NFKC", clean(cell))
    col = _match_column(schema, text)
    if col is None and len(text) <= MAX_HEADER_CHARS and (m := _HEADER_UNIT.match(text)):
        col = _match_column(schema, m.group(1).strip())
    return col


def names_keys(schema: Schema, cells: list[str]) -> bool:
    """Whether a row names all of the file's key columns: that row is the header."""
    if len(cells) > MAX_COLUMNS:
        return False
    named = {col.alias for cell in cells if (col := _header_name(schema, cell)) is not None}
    return all(c.alias in named for c in schema.columns if c.key)


def header_index(schema: Schema, records: list[tuple[int, list[str]]]) -> int:
    """The header is the first record naming the key columns; without one, the first record
    (whose missing columns are then reported on its line)."""
    for index, (_, cells) in enumerate(records[:MAX_LINES_ABOVE]):
        if names_keys(schema, cells):
            return index
    return 0


def lines_above(
    schema: Schema, records: list[tuple[int, list[str]]], problems: list[Problem]
) -> tuple[str, str | None]:
    """(the table's title, the unit a 「单位：万元」 line gives) from the records above the header."""
    titles, unit = [], None
    for line, cells in records:
        words = []
        for cell in cells:
            text = clean(cell)
            m = _UNIT_LINE.match(unicodedata.normalize("NFKC", text).replace(" ", "")) if text else None
            if m is None:
                if text:
                    words.append(text)
                continue
            canonical = money_unit(m.group(1))
            if schema.name == "indicators":
                canonical = canonical or m.group(1)  # free units there: 家, 个, %
            if canonical is None:
                message = f"单位行「{shown(text)}」中的金额单位无法识别，应为元、万元或亿元"
                problems.append(Problem(schema.file, message, line))
            elif unit is not None and canonical != unit:
                problems.append(Problem(schema.file, f"单位行注明「{canonical}」，与上方的「{unit}」不一致", line))
            else:
                unit = canonical
        if words:
            titles.append(" ".join(words))
    return "\n".join(titles), unit


def apply_table_unit(
    schema: Schema, header: dict[str, HeaderCol], unit: str, line: int, problems: list[Problem]
) -> None:
    """A unit line above the header applies to every money column whose header names none."""
    for hc in header.values():
        applies = hc.col.kind == "money" or (schema.name == "indicators" and hc.col.alias == "value")
        if not applies:
            continue
        if hc.unit is None:
            hc.unit = unit
        elif hc.unit != unit:
            message = f"列标题注明单位「{hc.unit}」，与表格上方单位行的「{unit}」不一致"
            problems.append(Problem(schema.file, message, line, hc.col.name))


def parse_header(schema: Schema, header: list[str], problems: list[Problem], line: int = 1) -> dict[str, HeaderCol]:
    """Known columns by alias; problems are reported on the header's own line."""
    found: dict[str, HeaderCol] = {}
    if len(header) > MAX_COLUMNS:
        # A header of a million cells would cost seconds per schema to match, for nothing.
        wide = f"表头有 {len(header):,} 列，超过 {MAX_COLUMNS} 列（可能不是本看板的数据文件，或整行被当成了表头）"
        problems.append(Problem(schema.file, wide, line))
        return found

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
    if schema.one_of and not any(alias in found for alias in schema.one_of):
        names = "或".join(f"「{c.name}」" for c in schema.columns if c.alias in schema.one_of)
        report(f"缺少列{names}：至少要有其中一列", names)
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


def read_records(text: str) -> list[tuple[int, list[str]]]:
    """(first physical line number, cells) per non-blank record; tab-separated files too.

    Raises CellError, with the line, for a quote that never closes or a giant cell.
    """
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first and "，" not in first else ","
    try:
        return _read_records_with(text, delimiter, strict=True)
    except csv.Error:
        # Text after a closing quote ("1,722"元): read as Excel would, leniently.
        return _read_records_with(text, delimiter, strict=False)


def _read_records_with(text: str, delimiter: str, strict: bool) -> list[tuple[int, list[str]]]:
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


def money_units(header: dict[str, HeaderCol]) -> set[str]:
    """The units of the header's money columns: each its header's, else the default 万元."""
    return {hc.unit or BASE_UNIT for hc in header.values() if hc.col.kind == "money"}


def quoted_unit(header: dict[str, HeaderCol]) -> str:
    """The unit a row that names none has its printed figures written in: its money columns', or,
    where they differ (余额(亿元) beside 付息(万元)), the largest, into which the others convert
    exactly (2326 万元 → 0.2326 亿元, precision kept)."""
    return max(money_units(header) or {BASE_UNIT}, key=lambda unit: MONEY_FACTORS[unit])


def _parse_row(
    schema: Schema, header: dict[str, HeaderCol], line: int, cells: list[str], problems: list[Problem], quoted: str
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
        # The unit the row's printed figures are in (every money column's, exactly), so that the
        # sections and the checks read them alike.
        row["unit"] = row_unit or quoted

    for col in schema.columns:
        if col.alias == "unit" and schema.name != "indicators":
            continue
        text = cell(col.alias)
        hc = header.get(col.alias)
        numeric = col.kind in ("money", "number", "percent")
        if numeric:
            row[printed_column(col.alias)] = ""
        if col.absent_flag:
            row[col.absent_flag] = clean(text) in col.absent
            if row[col.absent_flag]:  # the document states the absence: not a figure, not "not stated"
                row[col.alias] = math.nan
                continue
        if col.kind == "date":
            row[f"{col.alias}_text"] = clean(text)
        if is_missing_mark(text):
            if (col.required or col.key) and hc is not None:
                fail(col, CellError("不能为空", f"填写{col.name}"))
            row[col.alias] = math.nan if numeric else col.default
            if col.kind == "year":
                row[col.alias] = None
            continue
        try:
            if col.kind == "year":
                row[col.alias] = parse_year(text)
            elif col.kind == "date":
                row[col.alias] = parse_date(text)
            elif numeric:
                value = parse_number(text, percent=col.kind == "percent")
                if col.kind == "money":
                    unit = hc.unit if hc else None
                    if unit and row_unit and unit != row_unit:
                        fail(
                            UNIT,
                            CellError(
                                f"本行单位为「{row_unit}」，但「{col.name}」列标题（或表格上方的单位行）注明为「{unit}」",
                                "与列标题一致的单位，或留空",
                            ),
                        )
                        continue
                    printed_in = unit or row_unit or BASE_UNIT
                    factor = MONEY_FACTORS[printed_in]
                    value, row[margin(col.alias)] = value * factor, half_unit(text) * factor
                    row[printed_column(col.alias)] = rescaled(printed_text(text), printed_in, row["unit"])
                elif col.integer and value != int(value):
                    raise CellError(f"「{shown(text)}」不是整数", "非负整数")
                if col.low is not None and value < col.low or col.high is not None and value > col.high:
                    raise CellError(
                        f"「{shown(text)}」超出范围",
                        f"{col.low:g} 到 {col.high:g} 之间" if col.high is not None else f"不小于 {col.low:g}",
                    )
                row[col.alias] = value
                row.setdefault(margin(col.alias), half_unit(text))
                if col.kind != "money":  # money's is in the row's unit (above)
                    row[printed_column(col.alias)] = printed_text(text)
            else:
                value = clean(text)
                row[col.alias] = col.normalise(value) if col.normalise else value
        except CellError as exc:
            fail(col, exc)
    if ok and schema.one_of and all(math.isnan(row[alias]) for alias in schema.one_of):
        names = "或".join(c.name for c in schema.columns if c.alias in schema.one_of)
        problems.append(Problem(file, f"至少要填写{names}中的一项", line, schema.columns[0].name))
        ok = False
    if schema.name == "indicators" and ok:
        ok = _indicator_unit(schema, header, row, cell("value"), line, problems)
        row["section"] = row.get("section") or "绩效管理"
    if schema.name == "targets" and ok:
        ok = _target_values(schema, row, line, problems)
    return row if ok else None


QUANTITATIVE = ("≥", "≤", "=")


def _target_values(schema, row, line, problems) -> bool:
    """targets.csv: an indicator of the four 一级指标 names its direction; a quantitative one's 目标值
    is a number and its 实际值 a number or not stated (定性 ones are words, as the 自评表 prints them)."""
    names = {c.alias: c.name for c in schema.columns}
    if row["level1"] in ("预算执行", "总分"):
        return True
    if not row["direction"]:
        problems.append(Problem(schema.file, "指标方向不能为空", line, names["direction"]))
        return False
    if row["direction"] not in QUANTITATIVE:
        return True
    ok = True
    for alias, required in (("target", True), ("actual", False)):
        text = row[alias]
        try:
            if parse_number(text, percent=True) is None and required:
                raise CellError("定量指标的目标值不能为空", "数字（定性指标请把指标方向写为「定性」）")
        except CellError as exc:
            problems.append(
                Problem(schema.file, f"{exc}（指标方向为「{row['direction']}」的定量指标）", line, names[alias])
            )
            ok = False
    return ok


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
        row["value"] = row["value"] * MONEY_FACTORS[canonical]  # held in 万元, like every amount
        unit = canonical  # and said in the unit it was printed in (sections.performance.indicator_figure)
    row["unit"] = unit
    return True



def parse_rows(schema: Schema, text: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse one file row by row: every problem is found and located here."""
    try:
        records = read_records(text)
    except CellError as exc:
        return None, [Problem(schema.file, str(exc), exc.line)]
    return parse_records(schema, records)


def parse_records(schema: Schema, records: list[tuple[int, list[str]]]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """(line, cells) records of a CSV file or a worksheet to a frame: the contract's row rules."""
    problems: list[Problem] = []
    if not records:
        return None, [Problem(schema.file, EMPTY_FILE, 1)]
    start = header_index(schema, records)
    title, table_unit = lines_above(schema, records[:start], problems)
    header_line, header_cells = records[start]
    header = parse_header(schema, header_cells, problems, header_line)
    if table_unit:
        apply_table_unit(schema, header, table_unit, header_line, problems)
    if any(p.level == "error" for p in problems):
        return None, bounded(schema.file, problems)
    rows = []
    seen: dict[tuple, int] = {}
    errors = counted = 0
    quoted = quoted_unit(header)
    for line, cells in records[start + 1 :]:
        # Counted before every record, failing ones included: 50,000 bad rows stop at the 50th.
        errors += sum(p.level == "error" for p in problems[counted:])
        counted = len(problems)
        if errors >= MAX_ERRORS_PER_FILE:
            problems.append(Problem(schema.file, f"错误超过 {MAX_ERRORS_PER_FILE} 处，其余未检查", line))
            break
        if len(cells) > len(header_cells) and any(clean(c) for c in cells[len(header_cells) :]):
            problems.append(
                Problem(
                    schema.file,
                    f"本行有 {len(cells)} 个单元格，多于表头的 {len(header_cells)} 列（可能是数字里的逗号没有加引号）",
                    line,
                )
            )
            continue
        row = _parse_row(schema, header, line, cells, problems, quoted)
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
    problems.extend(unknown_values(schema, rows))
    if any(p.level == "error" for p in problems):
        return None, bounded(schema.file, problems)
    frame = pd.DataFrame(rows, columns=frame_columns(schema))
    if schema.yearly:
        frame["year"] = frame["year"].astype("int64")
    for flag in schema.flags:
        frame[flag] = frame[flag].astype(bool)
    if title:
        frame.attrs["title"] = title
    return frame, bounded(schema.file, problems)


def unknown_values(schema: Schema, rows: list[dict]) -> list[Problem]:
    """A value outside a column's known ones (a category such as 上解支出) is shown as its own,
    with one warning per value on its first line, naming the known values: a typo is caught."""
    out = []
    for col in schema.columns:
        if not col.warn_unknown:
            continue
        lines: dict[str, list[int]] = {}
        for row in rows:
            if row[col.alias] and row[col.alias] not in col.warn_unknown:  # empty: not stated
                lines.setdefault(row[col.alias], []).append(row["line"])
        for value, at in lines.items():
            more = f"（共 {len(at)} 行：第{'、'.join(map(str, at[:10]))}{'…' if len(at) > 10 else ''}行）" if len(at) > 1 else ""
            message = (
                f"「{shown(value)}」不是已知的{col.name}（{'、'.join(col.warn_unknown)}），"
                f"按单独的{col.name}显示{more}；如为笔误请改正"
            )
            out.append(Problem(schema.file, message, at[0], col.name, "warning"))
    return out


def bounded(file: str, problems: list[Problem]) -> list[Problem]:
    """At most MAX_PROBLEMS_PER_FILE problems, errors first, then one line for the rest:
    20,000 unknown columns must not make every page carry 20,000 warnings."""
    if len(problems) <= MAX_PROBLEMS_PER_FILE:
        return problems
    ordered = sorted(problems, key=lambda p: p.level != "error")  # stable: file order within each level
    kept, rest = ordered[:MAX_PROBLEMS_PER_FILE], ordered[MAX_PROBLEMS_PER_FILE:]
    level = "error" if any(p.level == "error" for p in rest) else "warning"
    return [*kept, Problem(file, f"另有 {len(rest)} 处问题未列出（运行 python app.py check 查看每一处）", level=level)]



def frame_columns(schema: Schema) -> list[str]:
    """The contract's columns by alias, then the line, rounding margins, printed texts (_p_),
    absence flags (no_limit) and dates as printed (published_text): new ones only at the end."""
    numeric = [c.alias for c in schema.columns if c.kind in ("money", "number", "percent")]
    dates = [f"{c.alias}_text" for c in schema.columns if c.kind == "date"]
    return (
        [c.alias for c in schema.columns]
        + ["line"]
        + [margin(a) for a in numeric]
        + [printed_column(a) for a in numeric]
        + schema.flags
        + dates
    )


def empty_frame(schema: Schema) -> pd.DataFrame:
    frame = pd.DataFrame(columns=frame_columns(schema))
    types = {"line": "int64", **dict.fromkeys(schema.flags, bool)}
    if schema.yearly:
        types["year"] = "int64"
    return frame.astype(types)


