"""Exports of a view: a PowerPoint deck, an A4 PDF report and an Excel workbook.

Charts are drawn by kaleido in the machine's own Chromium (offline, with its CJK fonts); the
PDF is the report page printed by that Chromium. Text from the data is escaped everywhere and
never becomes a formula in the workbook.
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from pptx import Presentation
from pptx.util import Inches, Pt

from components import debt, monitor_export, performance, transfers
from components.briefing import Deck, Slide, latest_notes, projector
from components.data import Dataset
from components.figures import COMPUTED, Figure
from components.layout import section_rows
from components.sections import debt as debt_model
from components.sections.debt import figure_of
from components.sections.performance import indicator_figure, number
from components.theme import (
    MISSING,
    fmt_datetime,
)

RENDER_TIMEOUT = 90  # seconds for one chart; the first one also starts Chromium
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Headless and quiet: the machine's network is closed, and Chromium must not try to reach it.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


class ExportError(RuntimeError):
    """What the viewer is told when an export cannot be made."""


def browser_path() -> str | None:
    """The Chromium kaleido and the PDF printer use (BROWSER_PATH overrides, as for kaleido)."""
    found = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and Path(found).exists() else None


class ChartRenderer:
    """One kaleido Chromium per process, kept open: about 0.3 s a chart instead of 4 s.

    Calls are serialised; a failure closes the browser so the next export starts a fresh one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None

    def _start(self) -> None:
        from kaleido import Kaleido  # imported on first export: the dashboard itself never needs it

        if not browser_path():
            raise ExportError("服务器上没有找到 Chromium 浏览器，无法生成图表图片。请管理员安装 chromium。")
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True, name="kaleido").start()

        async def open_browser():
            k = Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False)  # mathjax's default is a CDN address
            await k.__aenter__()
            return k

        self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(RENDER_TIMEOUT)
        self._loop = loop

    def _reset(self) -> None:
        if self._loop is not None:
            if self._kaleido is not None:
                closing = asyncio.run_coroutine_threadsafe(self._kaleido.__aexit__(None, None, None), self._loop)
                try:
                    closing.result(10)
                except Exception:  # noqa: BLE001 (the browser is gone either way)
                    pass
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop, self._kaleido = None, None

    def render(self, fig, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
        with self._lock:
            try:
                if self._kaleido is None:
                    self._start()
                opts = {"format": fmt, "width": width, "height": height, "scale": scale}
                job = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(fig, opts=opts), self._loop)
                return job.result(RENDER_TIMEOUT)
            except ExportError:
                raise
            except Exception as exc:
                self._reset()
                raise ExportError("图表图片生成失败，请稍后重试；如果一再失败，请联系管理员。") from exc


RENDERER = ChartRenderer()


# ---------------------------------------------------------------- the figures behind a view


def view_tables(dataset: Dataset, the_deck: Deck) -> list[tuple[str, pd.DataFrame]]:
    """(sheet name, table) per section for the deck's view; units in the headers; 未公布 never 0."""
    views, region = the_deck.views, the_deck.region  # each section's own view, as its slides show it
    tables = []

    if "transfers" in views:
        state = views["transfers"]
        ty = state.year
        m = transfers.model_for(dataset, ty, region, list(state.get("category")), state.unit)
        u = m.unit
        amount = lambda f: f.to(u)  # noqa: E731  (a Figure: the writers show it as printed)
        rows = []
        lines = [line for c in m.categories for line in (c, *m.items_of(c.category))]
        for line in [*lines, replace(m.total, category=f"{m.subset}合计")]:
            note = line.note if line.category != f"{m.subset}合计" or not m.stated_total else m.check
            rows.append(
                {
                    "年度": ty,
                    "地区": region,
                    "类别": line.category,
                    "项目": line.item,
                    f"预算数（{u}）": amount(line.budget),
                    f"上年执行数（{u}）": amount(line.prior),
                    f"增减额（{u}）": amount(line.change),
                    "增减率（%）": line.change_pct,
                    "说明": note,
                    COMPUTED: "、".join(line.computed()),  # which figures the document does not print
                }
            )
        tables.append(("转移支付", pd.DataFrame(rows)))

    if "debt" in views:
        state = views["debt"]
        dy = state.year
        m = debt_model.model(dataset, dy, region, list(state.get("debt_type")), state.unit)
        rows = []
        kinds = [*((t.name, t.figures, t.term, t.rate) for t in m.types)]
        kinds.append((f"{m.subset}合计" if m.subset else "合计", m.totals, m.term, m.rate))
        columns = [("limit", "限额"), ("new_limit", "新增限额"), ("balance", "余额"), *debt.FLOWS]
        columns += [("debt_service", "还本付息")]
        # 新增限额 and 还本付息 only where the document gives them: most notices print neither.
        columns = [
            (c, label)
            for c, label in columns
            if c not in ("new_limit", "debt_service") or any(k[1][c].stated for k in kinds)
        ]
        for name, figures, term, rate in kinds:
            record = {"年度": dy, "地区": region, "债务类型": name}
            for column, label in columns:
                figure = figures[column]
                no_limit = column == "limit" and m.limit == "none" and not figure.stated
                record[f"{label}（{m.unit}）"] = debt_model.NO_LIMIT if no_limit else figure
                if figure.source == "computed":
                    record["说明"] = "合计按分项计算"
            record["平均期限（年）"] = term
            record["平均利率（%）"] = rate
            record.setdefault("说明", "；".join(m.notes) if name.endswith("合计") else "")
            rows.append(record)
        tables.append(("政府债务", pd.DataFrame(rows)))

    if "performance" in views:
        state = views["performance"]
        py = state.year
        methods, target_types, grade = (list(state.get(n)) for n in ("method", "target_type", "grade"))
        m = performance.model(dataset, py, region, methods, target_types, grade, state.unit)
        listed = performance.listed_rows(dataset, py, region, methods, target_types, grade)
        amounts = [figure_of(r, "amount", m.unit, money=True) for r in listed.to_dict("records")]
        tables.append(
            (
                "绩效评价对象",
                pd.DataFrame(
                    {
                        "年度": py,
                        "地区": region,
                        "评价方式": listed["method"],
                        "对象类型": listed["target_type"],
                        "评价对象": listed["target"],
                        f"涉及金额（{m.unit}）": amounts,
                        "得分": [number(r, "score", "分") for r in listed.to_dict("records")],
                        "等级": [g or MISSING for g in listed["grade"]],
                        "说明": listed["note"],
                    }
                ),
            )
        )
        rows = []
        for method in m.graded:  # one block per method: methods are never added together
            for g in method.grades:
                rows.append(
                    {
                        "年度": py,
                        "地区": region,
                        "评价方式": method.name,
                        "等级": g.grade,
                        "数量（个）": g.count,
                        "占比（%）": g.share,
                        f"涉及金额（{m.unit}）": g.amount,
                        "依据": method.source_file,
                        "说明": (m.subset and f"仅{m.subset}的部分") or ("涉及金额按分项计算" if g.amount.source == "computed" else ""),
                    }
                )
        tables.append(("评价等级分布", pd.DataFrame(rows)))
        indicators = section_rows(dataset, "indicators", "绩效管理", py, region)
        tables.append(
            (
                "绩效指标",
                pd.DataFrame(
                    {
                        "年度": py,
                        "地区": region,
                        "指标": indicators["indicator"],
                        "数值": [indicator_figure(r, state.unit) for r in indicators.to_dict("records")],
                        "单位": [indicator_figure(r, state.unit).unit for r in indicators.to_dict("records")],
                        "说明": indicators["note"],
                    }
                ),
            )
        )
    if "monitor" in views:  # 绩效监控: its own sheets (components/monitor_export.py)
        tables += monitor_export.tables(dataset, views["monitor"])
    return [(name, table) for name, table in tables if len(table)]


# ---------------------------------------------------------------- Excel


def number_format(figure: Figure) -> str:
    """Excel shows the figure with its printed decimals (4.50, 0.10, 11.6131), thousands grouped."""
    places = max(figure.decimals, 0)
    return "#,##0" + ("." + "0" * places if places else "")


def write_row(sheet, values) -> None:
    """Append a row; a Figure is its exact number at its printed decimals (未公布 when not stated);
    text a spreadsheet would run as a formula (=, +, -, @) stays text."""
    values = list(values)
    sheet.append([(v.value if v.stated else MISSING) if isinstance(v, Figure) else v for v in values])
    for value, cell in zip(values, sheet[sheet.max_row], strict=True):
        if isinstance(value, Figure) and value.stated:
            cell.number_format = number_format(value)
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True


def workbook_bytes(dataset: Dataset, the_deck: Deck) -> bytes:
    wb = Workbook()
    about = wb.active
    about.title = "说明"
    for row in (
        ("标题", the_deck.title),
        ("地区", the_deck.region or ""),
        ("年度", the_deck.year or ""),
        ("数据文件修改时间", the_deck.data_date),
        ("导出时间", fmt_datetime(datetime.now())),
        ("说明", f"「{MISSING}」表示文件未公布该数字（不是 0）；金额单位见各表列标题。"),
    ):
        write_row(about, row)
    for name, table in view_tables(dataset, the_deck):
        sheet = wb.create_sheet(name)
        write_row(sheet, table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for record in table.itertuples(index=False):
            write_row(sheet, record)
        for column in sheet.columns:
            longest = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, longest * 1.6))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- PowerPoint

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)  # 16:9
CHART_PX = (1200, 760)


def slide_image(slide: Slide, fmt: str = "png", scale: float = 2) -> bytes | None:
    if slide.figure is None:
        return None
    return RENDERER.render(projector(slide.figure, height=CHART_PX[1]), fmt, *CHART_PX, scale=scale)


def add_text(shapes, left, top, width, height, paragraphs: list[str], size: int, bold: bool = False):
    box = shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, text in enumerate(paragraphs):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = text
        para.font.size = Pt(size)
        para.font.bold = bold
        para.space_after = Pt(6)
    return box


def pptx_bytes(the_deck: Deck) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.text = the_deck.title
    cover.placeholders[1].text = f"数据文件修改时间：{the_deck.data_date}\n生成：{fmt_datetime(datetime.now())}"
    # The default template's placeholders are laid out for 4:3; span the 16:9 slide instead.
    for shape, top, height in ((cover.shapes.title, 2.0, 1.6), (cover.placeholders[1], 3.9, 1.4)):
        shape.left, shape.top, shape.width, shape.height = Inches(0.8), Inches(top), Inches(11.7), Inches(height)
    for slide in the_deck.slides:
        page = prs.slides.add_slide(prs.slide_layouts[5])  # title only: the title stays editable
        page.shapes.title.text = slide.title
        title = page.shapes.title
        title.left, title.top, title.width, title.height = Inches(0.5), Inches(0.3), Inches(12.3), Inches(1.0)
        title.text_frame.paragraphs[0].font.size = Pt(30)
        text = slide.sentences + [f"{heading}：{point}" for heading, point in slide.points]
        image = slide_image(slide)
        if image:
            page.shapes.add_picture(io.BytesIO(image), Inches(0.4), Inches(1.4), width=Inches(7.6))
            add_text(page.shapes, Inches(8.2), Inches(1.4), Inches(4.7), Inches(5.2), text, 14)
        else:
            add_text(page.shapes, Inches(0.6), Inches(1.5), Inches(12.1), Inches(5.2), text, 20 if slide.points else 24)
        add_text(
            page.shapes,
            Inches(0.5),
            Inches(6.8),
            Inches(12.3),
            Inches(0.5),
            [f"来源：{slide.source or '—'}　数据文件修改时间：{the_deck.data_date}"],
            11,
        )
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- PDF

REPORT_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm;
  @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 9pt; color: #4B5563; } }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-size: 10.5pt; color: #111827;
  line-height: 1.6; }
.cover { height: 240mm; display: flex; flex-direction: column; justify-content: center; break-after: page; }
.cover h1 { font-size: 26pt; margin: 0 0 8mm; }
.cover p { font-size: 13pt; margin: 2mm 0; }
h2 { font-size: 15pt; border-bottom: 1px solid #0B4F8A; padding-bottom: 1mm; margin: 6mm 0 3mm; break-after: avoid; }
.chart { break-inside: avoid; margin-bottom: 5mm; }
.chart h3 { font-size: 12pt; margin: 0 0 2mm; }
.chart img { width: 100%; }
.source { font-size: 8.5pt; color: #4B5563; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 5mm; }
th, td { border: 1px solid #D1D5DB; padding: 1mm 1.5mm; vertical-align: top; }
th { background: #F1F5F9; }
td.num { text-align: right; white-space: nowrap; }
td:first-child { white-space: nowrap; }  /* 一般债务, 税收返还: a label, never a character per line */
tr { break-inside: avoid; }
.note h3 { font-size: 11pt; margin: 3mm 0 1mm; }
"""


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def table_html(name: str, table: pd.DataFrame) -> str:
    # 年度 and 地区 are one value per table: said in its heading, so that A4 leaves the other
    # columns room (「台/江/区」 stacked a character per line).
    said = [c for c in ("年度", "地区") if c in table and table[c].nunique() == 1]
    if said:
        year, region = (str(table[c].iloc[0]) if c in said else "" for c in ("年度", "地区"))
        name += f"（{year + '年' if year else ''}{'，' if year and region else ''}{region}）"
        table = table.drop(columns=said)
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = []
    for record in table.itertuples(index=False):
        cells = []
        for value in record:
            numeric = isinstance(value, Figure | int | float) and not isinstance(value, bool)
            if isinstance(value, Figure):  # as printed: its own decimals, 四舍五入 where converted
                text = value.text(with_unit=False, thousands=True)
            else:
                text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else value
            cells.append(f'<td class="num">{esc(text)}</td>' if numeric else f"<td>{esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<h3>{esc(name)}</h3><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


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
    tables = view_tables(dataset, the_deck)
    if tables:
        parts.append("<h2>数据表</h2>")
        parts += [table_html(name, table) for name, table in tables]
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
    chromium = browser_path()
    if not chromium:
        raise ExportError("服务器上没有找到 Chromium 浏览器，无法生成 PDF。请管理员安装 chromium。")
    document = report_html(dataset, the_deck)
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        source, target = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=RENDER_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExportError("PDF 生成超时，请稍后重试。") from exc
        if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
            raise ExportError("PDF 生成失败，请稍后重试；如果一再失败，请联系管理员。")
        return target.read_bytes()
