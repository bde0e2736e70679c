"""The view's figures as the bureau's own tables in Excel: one sheet per section table, laid out
as published (title line, 单位 line, header, rows, 合计, then 来源 and 发布日期 under it).

Numbers are numbers, shown with their printed decimals (4.50, 0.10, 11.6131); a figure the
document does not print is an empty cell with a note saying 未公布 (never 0, never text in a
number column); a computed one carries a note saying how. Text from the data never becomes a
formula. Each sheet prints on A4, fitted to the page width, its header repeated on every page.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from components.briefing import Deck
from components.data import Dataset
from components.figures import COMPUTED, MISSING, Figure
from components.office.tables import Table, published_line, section_tables
from components.theme import fmt_datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FONT = "宋体"  # the body font of Chinese Excel and WPS tables
NOTE_AUTHOR = "财政预算公开看板"
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F1F5F9")
WRAP_AT = 40  # characters: a wider text column wraps instead of widening the page


def number_format(figure: Figure) -> str:
    """Excel shows the figure with its printed decimals (4.50, 0.10, 11.6131), thousands grouped."""
    places = max(figure.decimals, 0)
    return "#,##0" + ("." + "0" * places if places else "")


def text_width(value) -> int:
    """Columns as Excel counts them: a Chinese character is two."""
    text = value.text(with_unit=False, thousands=True) if isinstance(value, Figure) else str(value or "")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def put(sheet, row: int, column: int, value):
    """One cell: a Figure as its exact number at its printed decimals, an empty cell noted 未公布
    when not stated; text a spreadsheet would run as a formula (=, +, -, @) stays text."""
    if isinstance(value, Figure):
        cell = sheet.cell(row, column, value.value if value.stated else None)
        if value.stated:
            cell.number_format = number_format(value)
            if value.source == "computed":
                cell.comment = Comment(f"{value.how or COMPUTED}，不是文件印出的数字", NOTE_AUTHOR)
        else:
            cell.comment = Comment(f"{MISSING}：文件未公布该数字（不是 0）", NOTE_AUTHOR)
        cell.alignment = Alignment(horizontal="right", vertical="center")
        return cell
    cell = sheet.cell(row, column, value)
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_row(sheet, values) -> None:
    """Append a row of cells (see put)."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        put(sheet, row, column, value)


def _line(sheet, row: int, text: str, width: int, **style) -> None:
    cell = put(sheet, row, 1, text)
    cell.font = Font(name=FONT, **style.pop("font", {}))
    cell.alignment = Alignment(vertical="center", wrap_text=True, **style)
    if width > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def write_table(sheet, dataset: Dataset, table: Table) -> None:
    width = len(table.columns)
    _line(sheet, 1, table.title, width, horizontal="center", font={"size": 16, "bold": True})
    sheet.row_dimensions[1].height = 30
    row = 2
    if table.filtered:
        _line(sheet, row, table.filtered, width, font={"color": "9A3412"})
        row += 1
    _line(sheet, row, f"单位：{table.unit}" if table.unit else "单位：见各列", width, horizontal="right")
    header = row + 1
    for column, name in enumerate(table.columns, start=1):
        cell = put(sheet, header, column, name)
        cell.font = Font(name=FONT, bold=True)
        cell.fill, cell.border = HEAD_FILL, GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    first_total = len(table.rows) - table.totals
    for i, values in enumerate(table.rows):
        for column, value in enumerate(values, start=1):
            cell = put(sheet, header + 1 + i, column, value)
            cell.border = GRID
            cell.font = Font(name=FONT, bold=i >= first_total)
            if not isinstance(value, Figure):
                indent = 1 if column == 1 and i in table.indent else 0
                cell.alignment = Alignment(vertical="center", wrap_text=True, indent=indent)
    below = header + len(table.rows) + 2
    for offset, text in enumerate(published_line(dataset, table)):
        _line(sheet, below + offset, text, width, font={"size": 10, "color": "4B5563"})
    _fit(sheet, table, header)
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    _print_setup(sheet, header, width)


def _fit(sheet, table: Table, header: int) -> None:
    """Each column as wide as its longest cell (Chinese counted double), long text wrapped, and
    each row as tall as its wrapped lines (neither Excel nor WPS grows a row on opening)."""
    widths = []
    for column, name in enumerate(table.columns, start=1):
        longest = max([text_width(name), *(text_width(r[column - 1]) for r in table.rows)])
        widths.append(max(8, min(WRAP_AT, longest + 2)))
        sheet.column_dimensions[get_column_letter(column)].width = widths[-1]
    for i, values in enumerate((table.columns, *table.rows)):
        lines = max(-(-text_width(v) // max(w - 1, 1)) for v, w in zip(values, widths, strict=True))
        sheet.row_dimensions[header + i].height = max(1, lines) * 14 + 6


def _print_setup(sheet, header: int, width: int) -> None:
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    wide = sum(sheet.column_dimensions[get_column_letter(c)].width or 8 for c in range(1, width + 1))
    setup.orientation = "landscape" if wide > 95 else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page wide, as many pages tall as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header}:{header}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def workbook_bytes(dataset: Dataset, deck: Deck) -> bytes:
    wb = Workbook()
    about = wb.active
    about.title = "说明"
    for row in (
        ("标题", deck.title),
        ("地区", deck.region or ""),
        ("年度", deck.year or ""),
        ("数据文件修改时间", deck.data_date),
        ("导出时间", fmt_datetime(datetime.now())),
        (
            "说明",
            f"空白单元格（带批注「{MISSING}」）表示文件未公布该数字，不是 0；带批注的数字为计算值，批注说明算法。",
        ),
        ("", "金额单位见各表的「单位」行；数字按文件印出的小数位显示；公式不会被执行。"),
    ):
        write_row(about, row)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 18, 90
    _print_setup(about, 1, 2)
    about.print_title_rows = None
    for table in section_tables(dataset, deck):
        write_table(wb.create_sheet(table.sheet[:31]), dataset, table)
    wb.properties.title = deck.title
    wb.properties.creator = NOTE_AUTHOR
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
