"""The 预算说明 as a Word document the bureau can edit: drafted from the section models in the
seed's structure (一、税收返还和转移支付情况（一）… 二、举借政府债务情况 … 三、预算绩效管理工作开展情况),
with the generated sentences, the published tables and the notes, in the fonts and sizes of a
government document (GB/T 9704: 标题 二号方正小标宋简体, 一级标题 三号黑体, 二级标题 三号楷体,
正文 三号仿宋; each font names its fallback in the font table, so Word or WPS without it uses 黑体 /
宋体 / 楷体 instead).

Each chapter is a builder `(dataset, deck) -> list of blocks`; a new section appends its own to
CHAPTERS, and the chapters are numbered 一、二、三… in that order.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from components import monitor as monitor_page
from components import monitor_export, performance, transfers
from components.briefing import Deck
from components.data import Dataset
from components.figures import Figure, say
from components.layout import section_rows
from components.office.tables import (
    Table,
    debt_tables,
    monitor_tables_of,
    performance_tables,
    published_line,
    transfer_tables,
)
from components.office.workbook import text_width
from components.sections import debt as debt_model
from components.sections import monitor_text
from components.sections.transfers import versus_prior

TITLE_FONT, HEADING_FONT, SUB_FONT, BODY_FONT = "方正小标宋简体", "黑体", "楷体", "仿宋"
FALLBACK = {TITLE_FONT: "黑体", BODY_FONT: "宋体", SUB_FONT: "宋体", HEADING_FONT: "宋体"}
ER, SAN = Pt(22), Pt(16)  # 二号, 三号
TABLE_SIZE = Pt(10.5)
MM_PER_COLUMN, LONG_TEXT = 2.5, 24  # a half-width character at 五号; wider text wraps
CONTENT_WIDTH = 150.0  # mm: A4 less the margins, less a little for the cell padding  # 五号: a table of six columns fits the A4 width
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Block:
    kind: str  # heading | para | table
    text: str = ""
    table: Table | None = None


def h(text: str) -> Block:
    return Block("heading", text)


def p(text: str) -> Block:
    return Block("para", text)


def _item_sentence(n: int, line) -> str:
    """「1.其他一般性转移支付收入1722万元。」: a line item as the document lists it."""
    text = f"{n}.{line.item}{say(line.budget)}" if line.budget.stated else f"{n}.{line.item}"
    if line.change.stated:
        text += f"，{versus_prior(line.change)}"
    return text + "。"


def transfers_chapter(dataset: Dataset, deck: Deck) -> tuple[str, list[Block]]:
    state = deck.views.get("transfers")
    if state is None:
        return "税收返还和转移支付情况", []
    m = transfers.model_for(dataset, state.year, deck.region, list(state.get("category")), state.unit)
    said = m.sentences["total"]
    blocks = [p(said[0] + ("其中：" if m.categories else ""))]
    for i, (category, sentence) in enumerate(zip(m.categories, said[1:], strict=True)):
        items = m.items_of(category.category)
        blocks += [h(f"（{NUMERALS[i]}）{category.category}"), p(sentence + ("其中：" if items else ""))]
        blocks += [p(_item_sentence(n, item)) for n, item in enumerate(items, start=1)]
    return "税收返还和转移支付情况", blocks + [Block("table", table=t) for t in transfer_tables(dataset, deck)]


def debt_chapter(dataset: Dataset, deck: Deck) -> tuple[str, list[Block]]:
    state = deck.views.get("debt")
    if state is None:
        return "举借政府债务情况", []
    m = debt_model.model(dataset, state.year, deck.region, list(state.get("debt_type")), state.unit)
    balance, *limit = m.sentences["composition"]
    flows = list(m.sentences["flows"])
    blocks = [h("（一）地方政府债务限额余额情况"), *(p(s) for s in limit), p(balance)]
    if flows:
        blocks += [h("（二）省转贷地方政府债券情况"), *(p(s) for s in flows[:-1] or flows)]
    if len(flows) > 1:
        blocks += [h("（三）地方政府债务还本付息情况"), p(flows[-1])]
    # notes.csv often repeats the 说明 the limit sentence already says (「经上级部门核定……」).
    said = [x.rstrip("。") for x in (*m.notes, *m.sentences["composition"]) if x]
    notes = section_rows(dataset, "notes", "政府债务", state.year, deck.region)
    blocks += [p(n.text) for n in notes.itertuples() if not any(x in n.text or n.text.rstrip("。") in x for x in said)]
    return "举借政府债务情况", blocks + [Block("table", table=t) for t in debt_tables(dataset, deck)]


PERFORMANCE_PARTS = (
    ("工作开展情况", "（一）工作开展情况"),
    ("存在的问题", "（二）预算绩效管理工作存在的问题"),
    ("下一步", "（三）下一步预算绩效管理工作思路"),
)


def performance_chapter(dataset: Dataset, deck: Deck) -> tuple[str, list[Block]]:
    state = deck.views.get("performance")
    if state is None:
        return "预算绩效管理工作开展情况", []
    methods, target_types, grade = (list(state.get(n)) for n in ("method", "target_type", "grade"))
    m = performance.model(dataset, state.year, deck.region, methods, target_types, grade, state.unit)
    notes = list(section_rows(dataset, "notes", "绩效管理", state.year, deck.region).itertuples())
    blocks: list[Block] = []
    for n, (prefix, heading) in enumerate(PERFORMANCE_PARTS):
        rows = [
            r
            for r in notes
            if r.title.startswith(prefix) or (n == 0 and not r.title.startswith(("存在的问题", "下一步")))
        ]
        said = [s for sentences in m.sentences.values() for s in sentences] if n == 0 else []
        if not rows and not said:
            continue
        blocks.append(h(heading))
        if n == 0 and not rows:
            blocks += [p(s) for s in said]
        for k, row in enumerate(rows, start=1):
            _head, _, name = row.title.partition("：")
            blocks.append(p(f"{k}.{(name or row.title).rstrip('。')}。{row.text}"))
    tables = [Block("table", table=t) for t in performance_tables(dataset, deck) if t.rows]
    return "预算绩效管理工作开展情况", blocks + tables


def monitor_chapter(dataset: Dataset, deck: Deck) -> tuple[str, list[Block]]:
    """绩效运行监控情况 in the Word 预算说明: the page's sentences under the parts that have any, then the tables."""
    state = deck.views.get("monitor")
    m = monitor_page.model(dataset, state) if state is not None else None
    if m is None or m.empty:
        return "绩效运行监控情况", []
    said = monitor_text.sentences(m)
    blocks = []
    for n, (key, heading) in enumerate(part for part in monitor_export.CHAPTER_PARTS if said.get(part[0])):
        blocks += [h(f"（{'一二三四'[n]}）{heading}"), *(p(x) for x in said[key])]
    return "绩效运行监控情况", blocks + [Block("table", table=t) for t in monitor_tables_of(m)]


# The chapters in the document's order; a new section appends its builder here.
CHAPTERS: list[Callable[[Dataset, Deck], tuple[str, list[Block]]]] = [
    transfers_chapter,
    debt_chapter,
    performance_chapter,
    monitor_chapter,
]


# ---------------------------------------------------------------- writing the document


def _fonts(run_or_style, name: str, size=None, bold: bool | None = None) -> None:
    font = run_or_style.font
    font.name = name
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), name)
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)


def _font_table(document) -> None:
    """Each font of the document with its fallback (altName), for machines that lack it."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in FALLBACK.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "auto"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    _fonts(normal, BODY_FONT, SAN)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    fmt.first_line_indent, fmt.space_after, fmt.space_before = Pt(32), Pt(0), Pt(0)
    for level, font in ((1, HEADING_FONT), (2, SUB_FONT)):
        style = document.styles[f"Heading {level}"]
        _fonts(style, font, SAN, bold=False)
        style.paragraph_format.first_line_indent = Pt(32)
        style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        style.paragraph_format.line_spacing = Pt(28)
        style.paragraph_format.keep_with_next = True
    title = document.styles["Title"]
    _fonts(title, TITLE_FONT, ER, bold=False)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.space_after = Pt(28)
    # The Title style's blue rule under it is not a government document's.
    for border in title.element.findall(f".//{qn('w:pBdr')}"):
        border.getparent().remove(border)


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            el = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        run._r.append(el)
    _fonts(run, "宋体", Pt(14))


def _cell(cell, value, bold: bool, right: bool) -> None:
    text = value.text(with_unit=False, thousands=True) if isinstance(value, Figure) else str(value or "")
    para = cell.paragraphs[0]
    para.paragraph_format.first_line_indent = Pt(0)
    para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    _fonts(para.add_run(text), "宋体", TABLE_SIZE, bold)


def _small(document, text: str, align=WD_ALIGN_PARAGRAPH.LEFT, size=TABLE_SIZE, bold=False, keep=True) -> None:
    para = document.add_paragraph()
    para.alignment = align
    para.paragraph_format.first_line_indent = Pt(0)
    para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    para.paragraph_format.keep_with_next = keep  # a table's title and 单位 stay with the table
    _fonts(para.add_run(text), HEADING_FONT if bold else "宋体", size, False)


def add_table(document, dataset: Dataset, table: Table) -> None:
    _small(document, table.title, WD_ALIGN_PARAGRAPH.CENTER, Pt(14), bold=True)
    if table.filtered:
        _small(document, table.filtered)
    if table.unit:
        _small(document, f"单位：{table.unit}", WD_ALIGN_PARAGRAPH.RIGHT)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        _cell(cell, name, True, False)
    first_total = len(table.rows) - table.totals
    for para in (c.paragraphs[0] for c in grid.rows[0].cells):
        para.paragraph_format.keep_with_next = True
    for i, values in enumerate(table.rows):
        cells = grid.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _cell(cell, value, i >= first_total, isinstance(value, Figure))
    header = grid.rows[0]._tr.get_or_add_trPr()
    header.append(header.makeelement(qn("w:tblHeader"), {}))  # repeated on every page
    _widths(grid, table)
    for line in published_line(dataset, table):
        _small(document, line, size=Pt(9), keep=False)


def _widths(grid, table: Table) -> None:
    """Numbers and short labels as wide as they print (never a digit per line); long text (说明)
    takes the rest of the line, wrapped."""
    # A header may take two lines (上年/执行数); a number or a short label never does.
    need = [
        max([-(-text_width(name) // 2), *(text_width(r[i]) for r in table.rows)])
        for i, name in enumerate(table.columns)
    ]
    # One character spare: a bold 合计 is wider than its count (「505」 wrapped as 「50 / 5」 in 11.5 mm).
    fixed = {
        i: (min(n, 10 if i == 0 else 14) + 1) * MM_PER_COLUMN + 4 for i, n in enumerate(need) if n <= LONG_TEXT or i == 0
    }
    rest = CONTENT_WIDTH - sum(fixed.values())
    flexible = [i for i in range(len(need)) if i not in fixed]
    share = max(rest / len(flexible), 25.0) if flexible else 0
    widths = [fixed.get(i, share) for i in range(len(need))]
    scale = min(1.0, CONTENT_WIDTH / sum(widths))
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width * scale)  # the table grid (LibreOffice, WPS) and each cell (Word)
        for cell in column.cells:
            cell.width = Mm(width * scale)


def docx_bytes(dataset: Dataset, deck: Deck) -> bytes:
    document = Document()
    _styles(document)
    _font_table(document)
    _page(document)
    document.add_paragraph(f"{deck.region or ''}{deck.year or ''}年预算说明", style="Title")
    n = 0
    for chapter in CHAPTERS:
        name, blocks = chapter(dataset, deck)
        if not blocks:
            continue
        document.add_heading(f"{NUMERALS[n]}、{name}", level=1)
        n += 1
        for block in blocks:
            if block.kind == "heading":
                document.add_heading(block.text, level=2)
            elif block.kind == "para":
                document.add_paragraph(block.text)
            else:
                add_table(document, dataset, block.table)
    props = document.core_properties
    props.title = f"{deck.region or ''}{deck.year or ''}年预算说明"
    props.subject, props.author = deck.title, f"{deck.region or ''}财政预算公开看板"
    props.keywords, props.language = "；".join(x for x in (deck.region or "", f"{deck.year}年") if x), "zh-CN"
    props.comments = f"由看板据数据文件起草（数据文件修改时间：{deck.data_date}），请核对后使用。"
    props.created = props.modified = datetime.now().replace(microsecond=0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
