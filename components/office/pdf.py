"""The view as an A4 report: the deck's slides (chart, sentences, source), the section tables and
the notes, as an HTML page printed to PDF by the machine's Chromium.

Text from the data is escaped everywhere.
"""

from __future__ import annotations

import base64
import html
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from components.briefing import Deck, Slide, latest_notes, projector
from components.data import Dataset
from components.figures import Figure
from components.office import chromium
from components.office.chromium import CHROMIUM_FLAGS, RENDER_TIMEOUT, ExportError
from components.office.pdf_text import plain_text
from components.office.tables import Table, published_line, section_tables
from components.theme import fmt_datetime

CHART_PX = (1200, 760)
SHORT_LABEL = 6  # characters: 无单列限额, 部门整体支出; longer text may wrap to fit A4


def slide_image(slide: Slide, fmt: str = "png", scale: float = 2) -> bytes | None:
    if slide.figure is None:
        return None
    return chromium.RENDERER.render(projector(slide.figure, height=CHART_PX[1]), fmt, *CHART_PX, scale=scale)


REPORT_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm;
  @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 9pt; color: #4B5563; } }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-size: 10.5pt; color: #111827;
  line-height: 1.6; }
.cover { height: 240mm; display: flex; flex-direction: column; justify-content: center; break-after: page; }
.cover h1 { font-size: 26pt; margin: 0 0 8mm; }
.cover p { font-size: 13pt; margin: 2mm 0; }
h2 { font-size: 15pt; border-bottom: 1px solid #0B4F8A; padding-bottom: 1mm; margin: 6mm 0 3mm; break-after: avoid; }
h2, h3 { break-after: avoid; }  /* a heading never alone at the foot of a page */
.table { margin-bottom: 5mm; }
.table h3 { font-size: 12pt; text-align: center; margin: 3mm 0 1mm; }
.unit { text-align: right; font-size: 8.5pt; margin: 0; }
.filtered { font-size: 8.5pt; color: #9A3412; margin: 0; }
tr.total td { font-weight: bold; }
tr.item td:first-child { padding-left: 5mm; }
thead { display: table-header-group; }  /* the header again on every page of a long table */
.chart { break-inside: avoid; margin-bottom: 5mm; }
.chart h3 { font-size: 12pt; margin: 0 0 2mm; }
.chart img { width: 100%; }
.source { font-size: 8.5pt; color: #4B5563; }
.under { break-inside: avoid; break-before: avoid; }  /* 来源 and 发布日期 together, with the table's last row */
.under .source { margin: 0 0 1mm; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 1mm; }
th, td { border: 1px solid #D1D5DB; padding: 1mm 1.5mm; vertical-align: top; }
th { background: #F1F5F9; white-space: nowrap; }
td.num, td.label { white-space: nowrap; }
td.num { text-align: right; }
td:first-child { white-space: nowrap; }  /* 一般债务, 税收返还: a label, never a character per line */
tr { break-inside: avoid; }
.note h3 { font-size: 11pt; margin: 3mm 0 1mm; }
"""


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def cell_html(value) -> str:
    if isinstance(value, Figure):  # as printed: its own decimals, 四舍五入 where converted
        return f'<td class="num">{esc(value.text(with_unit=False, thousands=True))}</td>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="num">{esc(value)}</td>'
    text = "" if value is None else str(value)
    # A short label (无单列限额, 部门整体支出) is kept whole: never a character per line.
    return f'<td class="label">{esc(text)}</td>' if len(text) <= SHORT_LABEL else f"<td>{esc(text)}</td>"


def table_html(dataset: Dataset, table: Table) -> str:
    """The published table: title, 单位, header, rows (合计 bold), 来源 and 发布日期 under it.
    Numbers and short labels never wrap; only long text (说明) does, so 地区 is never a
    character per line."""
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = []
    first_total = len(table.rows) - table.totals
    for i, record in enumerate(table.rows):
        css = ' class="total"' if i >= first_total else (' class="item"' if i in table.indent else "")
        body.append(f"<tr{css}>" + "".join(cell_html(v) for v in record) + "</tr>")
    lines = '<div class="under">' + "".join(f'<p class="source">{esc(line)}</p>' for line in published_line(dataset, table)) + "</div>"
    filtered = f'<p class="filtered">{esc(table.filtered)}</p>' if table.filtered else ""
    unit = f'<p class="unit">单位：{esc(table.unit)}</p>' if table.unit else ""
    return (
        f'<div class="table"><h3>{esc(table.title)}</h3>{filtered}{unit}'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{lines}</div>"
    )


def report_html(dataset: Dataset, the_deck: Deck) -> str:
    parts = [
        '<section class="cover">',
        f"<h1>{esc(the_deck.title)}</h1>",
        f"<p>地区：{esc(the_deck.region or '')}</p><p>年度：{esc(the_deck.year or '')}年</p>",
        f"<p>数据文件修改时间：{esc(the_deck.data_date)}</p><p>报告生成：{esc(fmt_datetime(datetime.now()))}</p>",
        "</section>",
    ]
    section = None
    for slide in the_deck.slides:
        if slide.section != section:
            section = slide.section
            parts.append(f"<h2>{esc(section)}</h2>")
        parts.append('<div class="chart">')
        parts.append(f"<h3>{esc(slide.title)}</h3>")
        image = slide_image(slide, "svg", 1)
        if image:
            data = base64.b64encode(image).decode()
            parts.append(f'<img alt="{esc(slide.title)}" src="data:image/svg+xml;base64,{data}">')
        parts += [f"<p>{esc(s)}</p>" for s in slide.sentences]
        parts += [f"<p><b>{esc(h)}：</b>{esc(t)}</p>" for h, t in slide.points]
        if slide.source:
            parts.append(f'<p class="source">来源：{esc(slide.source)}</p>')
        parts.append("</div>")
    tables = section_tables(dataset, the_deck)
    if tables:
        parts.append("<h2>数据表</h2>")
        parts += [table_html(dataset, table) for table in tables]
    notes = latest_notes(dataset, the_deck.year, the_deck.region)
    if len(notes):
        parts.append("<h2>文字说明</h2>")
        for row in notes.itertuples():
            parts.append(f'<div class="note"><h3>{esc(row.title)}</h3><p>{esc(row.text)}</p>')
            if row.source:
                parts.append(f'<p class="source">来源：{esc(row.source)}</p>')
            parts.append("</div>")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{esc(the_deck.title)}</title><style>{REPORT_CSS}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )


def pdf_bytes(dataset: Dataset, the_deck: Deck) -> bytes:
    """The report page printed to A4 by headless Chromium (page numbers from @page margin boxes)."""
    browser = chromium.browser_path()
    if not browser:
        raise ExportError("服务器上没有找到 Chromium 浏览器，无法生成 PDF。请管理员安装 chromium。")
    document = report_html(dataset, the_deck)
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        source, target = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",  # the headings (h1–h3) become the PDF's bookmarks
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=RENDER_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExportError("PDF 生成超时，请稍后重试。") from exc
        if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
            raise ExportError("PDF 生成失败，请稍后重试；如果一再失败，请联系管理员。")
        return plain_text(target.read_bytes())
