"""Excel workbooks (.xlsx): the first sheet's cells as the text the CSV rules read."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from components.data.schema import CellError

MAX_WORKBOOK_BYTES = 50 * 2**20
MAX_UNPACKED_BYTES = 500 * 2**20  # a zip bomb unpacks to far more than its size
MAX_SHEET_ROWS = 1_000_000
MAX_SHEET_COLUMNS = 201  # one beyond the header's limit, so the row parser can say the header is too wide
XLSX_MAGIC = b"PK\x03\x04"
MAX_SHARED_TEXTS = 100_000  # distinct cell texts kept for sharing (beyond, texts are as read)
SAVE_AS = "在 Excel 中重新保存为 .xlsx 工作簿，或“另存为”→“CSV UTF-8（逗号分隔）”"

# The decimals a number format prints: "0.00", "#,##0.00_ ", "0.0%"; the first section only (positives).
_FIXED = re.compile(r"^[#,0]*0(?:\.(0+))?(%?)")


def is_workbook(name: str, raw: bytes) -> bool:
    return name.lower().endswith(".xlsx") or raw.startswith(XLSX_MAGIC)


def read_workbook(raw: bytes) -> tuple[str, list[tuple[int, list[str]]]]:
    """(first sheet's name, (row number, cell texts) of each non-blank row). Raises CellError."""
    sheet, rows = sheet_rows(raw)
    return sheet, [(number, cells) for number, cells in rows if any(c.strip() for c in cells)]


def workbook_csv(raw: bytes) -> tuple[str, bytes] | None:
    """(first sheet's name, the sheet as UTF-8 CSV with sheet row N on line N), to be read exactly
    as a CSV file is, and in no more memory than one; None when a cell spans lines (the row
    numbers would shift: read_workbook's records are used then). Raises CellError.

    Rows are padded to the header's width (the first row of several cells): Excel leaves a
    row's empty cells at its end out, and a ragged file would miss the columnar reader."""
    sheet, rows = sheet_rows(raw)
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    line, width = 1, 0
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # an empty line, written by the gap before the next row
        if any("\n" in c or "\r" in c for c in cells):
            return None
        if not width and sum(1 for c in cells if c.strip()) > 1:
            width = len(cells)
        text.write("\n" * (number - line))
        writer.writerow(cells + [""] * (width - len(cells)))
        line = number + 1
    text.flush()
    return sheet, out.getvalue()


def sheet_rows(raw: bytes) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """(first sheet's name, its rows as (row number, cell texts less the empty ones at the end)),
    streamed. Raises CellError, at once for the workbook and while iterating for its rows.

    read_only streams the sheet, data_only gives a formula's cached value (never evaluated;
    a formula that was never calculated, as in files written by scripts, reads as not stated).
    """
    import openpyxl  # a second or so to import: only when a workbook is given

    if len(raw) > MAX_WORKBOOK_BYTES:
        raise CellError(f"工作簿有 {len(raw) / 2**20:.1f} MB，超过 {MAX_WORKBOOK_BYTES // 2**20} MB 的上限", "较小的工作簿")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise CellError("文件不是有效的 .xlsx 工作簿（可能已损坏，或是旧版 .xls）", SAVE_AS, 1) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise CellError(f"工作簿解压后有 {unpacked / 2**20:,.0f} MB，超过上限", "只保留要发布的表格", 1)
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise CellError(f"工作簿无法读取（{type(exc).__name__}）", SAVE_AS, 1) from None
    if not book.worksheets:
        book.close()
        raise CellError("工作簿中没有工作表", "第一个工作表是数据表", 1)
    sheet = book.worksheets[0]

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 0
        # A column's repeated texts (年度, 地区, 单位, 来源 …) share one string: a million rows of
        # cells would otherwise hold a million copies of each, twice the memory of the same CSV.
        shared: dict[str, str] = {}
        try:
            for number, row in enumerate(sheet.iter_rows(max_col=MAX_SHEET_COLUMNS), start=1):
                if number > MAX_SHEET_ROWS:
                    raise CellError(f"工作表超过 {MAX_SHEET_ROWS:,} 行", "较少的行", number)
                cells = [_shared(shared, cell_text(c)) for c in row]
                while cells and cells[-1] == "":
                    cells.pop()
                yield number, cells
        except CellError:
            raise
        except Exception as exc:
            raise CellError(f"工作表读取出错（{type(exc).__name__}）", SAVE_AS, number or 1) from None
        finally:
            book.close()

    return sheet.title, rows()


def _shared(shared: dict[str, str], text: str) -> str:
    if len(shared) < MAX_SHARED_TEXTS:
        return shared.setdefault(text, text)
    return shared.get(text, text)


def cell_text(cell) -> str:
    """A cell as the CSV rules read it: numbers as their exact decimal text, with the decimals
    their format prints (4.5 shown as 0.00 is "4.50"); dates as 2023-01-15; empty as ""."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return number_text(value, getattr(cell, "number_format", "General") or "General")
    return str(value)


def number_text(value: int | float, number_format: str) -> str:
    try:
        # 15 significant digits, as Excel shows: 1722.0000000000002 from a sum is 1722.
        exact = Decimal(value) if isinstance(value, int) else Decimal(f"{value:.15g}")
    except (InvalidOperation, ValueError, OverflowError):
        return str(value)  # inf or nan: never a number the document printed
    m = _FIXED.match(number_format.split(";")[0].replace("\\", "").replace('"', ""))
    percent = bool(m and m.group(2))
    if percent:
        exact *= 100
    if m:
        places = len(m.group(1) or "")
        exact = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{exact:f}"
    else:  # General and the like: the shortest exact text
        text = f"{exact.normalize():f}" if exact != exact.to_integral_value() else f"{exact.to_integral_value():f}"
    return text + ("%" if percent else "")
