"""Exports opened by their own readers: python-pptx, the PDF's text, openpyxl.

The slides and the report need the machine's Chromium (kaleido and the PDF printer use it).
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as DOCX_RT
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.dml import MSO_FILL
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Inches
from pypdf import PdfReader

import app as app_module
from components import exports
from components.data import load_folder
from components.office import chromium

ROOT = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(chromium.browser_path() is None, reason="Debian's chromium is not installed")
VIEW = "year=2023&region=" + quote("株洲经开区")


@pytest.fixture(scope="module")
def client():
    return app_module.create_app(ROOT / "data").server.test_client()


def download(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def flat(text: str) -> str:
    """PDF text compared as a reader sees it: NFKC (⽂ → 文, ， → ,), no line breaks."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_slides_have_native_charts_of_the_models_figures_notes_numbers_and_properties(client):
    from components.sections import debt as debt_model
    from components.sections import transfers as transfers_model

    response = download(client, f"/export/slides.pptx?{VIEW}")
    assert unquote(response.headers["Content-Disposition"]).endswith("株洲经开区2023年财政预算公开_演示文稿.pptx")
    deck = Presentation(io.BytesIO(response.data))
    slides = list(deck.slides)
    assert len(slides) == 1 + 8  # cover, then the eight slides of briefing mode
    titles = [s.shapes.title.text for s in slides]
    assert titles[1] == "株洲经开区2023年财政预算公开要点"
    assert titles[2] == "2023年转移支付：预算数与上年执行数"
    assert titles[-1] == "2022年预算绩效管理存在的问题与下一步工作思路"
    charts = [[sh for sh in s.shapes if sh.has_chart] for s in slides]
    assert [len(c) for c in charts] == [0, 0, 1, 1, 1, 1, 1, 1, 0]
    assert not any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slides for sh in s.shapes)  # no picture book

    # 编辑数据 opens the figures of the section models, in their units, 未公布 never 0.
    seed = load_folder(ROOT / "data")
    m = transfers_model.model(seed, 2023, "株洲经开区")
    bars = charts[2][0].chart
    assert bars.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(bars.plots[0].categories) == [c.category for c in m.categories]
    by_name = {s.name: list(s.values) for s in bars.plots[0].series}
    assert by_name["预算数"] == [float(c.budget.value) for c in m.categories]
    assert by_name["上年执行数"] == [float(c.prior.value) for c in m.categories]
    fills = {s.name: s.format.fill.type for s in bars.plots[0].series}
    assert fills == {"上年执行数": MSO_FILL.PATTERNED, "预算数": MSO_FILL.SOLID}  # hatched as on the page: last year's
    waterfall = charts[3][0].chart
    assert waterfall.chart_type == XL_CHART_TYPE.COLUMN_STACKED
    base, steps = waterfall.plots[0].series
    assert base.format.fill.type == MSO_FILL.BACKGROUND  # the invisible base of each step
    assert list(steps.values)[1:4] == [abs(float(c.change.value)) for c in m.categories]
    d = debt_model.model(seed, 2022, "株洲经开区")
    donut = charts[4][0].chart
    assert donut.chart_type == XL_CHART_TYPE.DOUGHNUT
    assert list(donut.plots[0].categories) == [t.name for t in d.types]
    assert list(donut.plots[0].series[0].values) == [float(t.figures["balance"].value) for t in d.types]
    assert charts[6][0].chart.chart_type == XL_CHART_TYPE.BAR_STACKED  # grades per method
    # A pattern of one shape per bar, all "" (fig_grades), is no hatch: a grade is never drawn as last year's.
    assert {s.format.fill.type for s in charts[6][0].chart.plots[0].series} == {MSO_FILL.SOLID}
    for shapes in charts[2:8]:
        assert shapes[0]._element.nvGraphicFramePr.cNvPr.get("descr").startswith(titles[charts.index(shapes)])

    # The sentences are the speaker notes; every slide has its number; the footer names the source.
    notes = slides[2].notes_slide.notes_text_frame.text
    assert "2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。" in notes
    for slide in slides:
        kinds = {ph.placeholder_format.type for ph in slide.placeholders}
        assert PP_PLACEHOLDER.SLIDE_NUMBER in kinds
    footer = next(ph for ph in slides[2].placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.FOOTER)
    assert footer.text_frame.text.startswith("来源：株洲经开区2023年预算说明")
    # Chinese fonts, the slides 16:9, and properties naming the region and year (not python-pptx).
    theme = deck.slide_master.part.part_related_by(RT.THEME).blob.decode()
    assert '<a:ea typeface="微软雅黑"/>' in theme and "Calibri" not in theme
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    props = deck.core_properties
    assert props.author != "python-pptx" and "株洲经开区" in props.author
    assert props.title == "株洲经开区2023年财政预算公开" and "2023年" in props.keywords


def test_a_slide_chart_labels_each_bar_with_the_decimals_the_page_prints(tmp_path):
    """克拉玛依区's 政府性基金转移收入 is printed as 27 万元 beside figures in 亿元: in 亿元 the page
    labels it 0.0027 and the others 6.95; the slide's chart says the same, neither 6.9500 nor 0.00."""
    import shutil

    folder = tmp_path / "karamay"
    shutil.copytree(ROOT / "tests" / "fixtures" / "realdocs" / "karamay-transfers-2020", folder)
    client = app_module.create_app(folder).server.test_client()
    deck = Presentation(io.BytesIO(download(client, "/export/slides.pptx?unit=" + quote("亿元")).data))
    chart = next(sh.chart for s in deck.slides for sh in s.shapes if sh.has_chart)
    assert chart.value_axis.tick_labels.number_format == "#,##0.00"
    budget = next(s for s in chart.plots[0].series if s.name == "预算数")
    assert budget.data_labels.number_format == "#,##0.00"
    assert list(chart.plots[0].categories)[3] == "政府性基金转移收入"
    assert budget.points[3].data_label.text_frame.text == "0.0027"
    assert not budget.points[2].data_label.has_text_frame  # 2.12: the format's own label


def test_a_slide_chart_labels_each_slice_as_printed(tmp_path, client):
    """晋城市城区2022 prints 一般债务 6.6116 and 专项债务 12.62 亿元: one number format for the
    doughnut made it 12.6200; each slice is labelled as printed instead."""
    import shutil

    folder = tmp_path / "jincheng"
    shutil.copytree(ROOT / "tests" / "fixtures" / "realdocs" / "jincheng-debt-2022", folder)
    jincheng = app_module.create_app(folder).server.test_client()
    deck = Presentation(io.BytesIO(download(jincheng, "/export/slides.pptx").data))
    chart = next(sh.chart for s in deck.slides for sh in s.shapes if sh.has_chart and sh.chart.chart_type == XL_CHART_TYPE.DOUGHNUT)
    points = chart.plots[0].series[0].points
    assert [points[i].data_label.text_frame.text for i in range(2)] == ["一般债务 6.6116", "专项债务 12.62"]
    seed = Presentation(io.BytesIO(download(client, "/export/slides.pptx").data))
    donut = next(sh.chart for s in seed.slides for sh in s.shapes if sh.has_chart and sh.chart.chart_type == XL_CHART_TYPE.DOUGHNUT)
    assert not donut.plots[0].series[0].points[0].data_label.has_text_frame  # 4.50 and 56.21: the format's own


def test_a_bureaus_template_gives_the_deck_its_layouts(tmp_path, monkeypatch):
    import shutil

    from components.briefing import deck as make_deck

    for name in (ROOT / "data").glob("*.csv"):
        shutil.copy(name, tmp_path / name.name)
    template = Presentation()
    template.slide_width, template.slide_height = Inches(10), Inches(5.625)
    template.slide_layouts[5].name = "本局仅标题"
    template.slides.add_slide(template.slide_layouts[0])  # an example slide: not part of the deck
    template.save(tmp_path / "template.pptx")
    dataset = load_folder(tmp_path)
    built = Presentation(io.BytesIO(exports.pptx_bytes(dataset, make_deck(dataset, VIEW))))
    assert built.slide_width == Inches(10)
    assert {s.slide_layout.name for s in list(built.slides)[1:]} == {"本局仅标题"}
    assert len(built.slides) == 9


@needs_chromium
def test_report_pdf_has_the_headline_sentences_tables_notes_and_page_numbers(client):
    response = download(client, f"/export/report.pdf?{VIEW}&unit=" + quote("万元"))
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 5
    text = flat(" ".join(p.extract_text() for p in reader.pages))
    for sentence in (
        "2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。",
        "一般性转移支付1722万元，比上年执行数减少2493万元，减少59.15%",
        "截至2022年底，株洲经开区地方政府债务余额607100万元",  # unit=万元 applies to debt too
        "评价结果等级为良的5个，评价结果等级为中的3个",
    ):
        assert flat(sentence) in text
    assert flat("株洲经开区2023年税收返还和转移支付预算表单位：万元") in text
    assert flat("预算绩效管理理念有待提高") in text
    # Searched and copied as written, without NFKC: 执行 and 页, not the radicals 执⾏ and ⻚.
    raw = " ".join(p.extract_text() for p in reader.pages)
    assert "上年执行数" in raw and "第 1 页" in raw
    assert not [c for c in raw if 0x2E80 <= ord(c) <= 0x2FDF], "radicals in the PDF's text"
    # A bookmark per section, and one per slide and table under it.
    outline = reader.outline
    top = [item.title for item in outline[1] if not isinstance(item, list)]
    assert top[:5] == ["总览", "转移支付", "政府债务", "绩效管理", "存在的问题与下一步"] and "数据表" in top
    first = flat(reader.pages[0].extract_text())
    assert "株洲经开区2023年财政预算公开" in first and "共" in first  # cover with its page number


def header_row(sheet) -> int:
    """The header: the row after the 单位 line (title, [筛选], 单位, header)."""
    return next(c.row for c in sheet["A"] if isinstance(c.value, str) and c.value.startswith("单位：")) + 1


def test_workbook_sheets_are_the_published_tables_with_numbers_notes_and_print_setup(client):
    response = download(client, f"/export/data.xlsx?{VIEW}&unit=" + quote("亿元"))
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["说明", "转移支付", "政府债务", "绩效评价对象", "评价等级分布", "绩效指标"]
    transfers = book["转移支付"]
    assert transfers["A1"].value == "株洲经开区2023年税收返还和转移支付预算表"
    assert transfers["A2"].value == "单位：亿元"
    head = header_row(transfers)
    header = [c.value for c in transfers[head]]
    assert header[:5] == ["项目", "预算数", "上年执行数", "增减额", "增减率（%）"]
    rows = list(transfers.iter_rows(min_row=head + 1, values_only=True))
    general = next(r for r in rows if r[0] == "一般性转移支付")
    assert general[1] == pytest.approx(0.1722)
    total = next(r for r in rows if r[0] == "合计")
    assert total[1] == pytest.approx(0.1722) and total[3] == pytest.approx(-1.0674)
    cells = {c.value: c for c in transfers["A"] if c.value}
    assert any(str(v).startswith("来源：株洲经开区2023年预算说明") for v in cells)
    assert "发布日期：未公布" in cells  # sources.csv gives no date: said, not left out
    # Numbers are numbers; one not printed is an empty cell with a note, never text in the column.
    item = next(c.row for c in transfers["A"] if c.value == "其中：其他一般性转移支付收入")
    prior = transfers.cell(item, 3)
    assert prior.value is None and "未公布" in prior.comment.text
    assert all(not isinstance(c.value, str) for c in transfers["C"][head:] if c.row <= head + len(rows) - 1)
    computed = transfers.cell(next(c.row for c in transfers["A"] if c.value == "税收返还"), 3)
    assert computed.value == pytest.approx(0.333) and "计算值" in computed.comment.text
    # Frozen header, A4 one page wide with the header repeated.
    assert transfers.freeze_panes == f"A{head + 1}"
    assert int(transfers.page_setup.paperSize) == 9  # A4
    assert transfers.page_setup.fitToWidth == 1 and transfers.page_setup.fitToHeight == 0
    assert transfers.sheet_properties.pageSetUpPr.fitToPage
    assert transfers.print_title_rows == f"${head}:${head}"
    assert transfers.column_dimensions["A"].width >= 2 * len("其中：其他一般性转移支付收入")  # Chinese counted double

    debt = book["政府债务"]
    head = header_row(debt)
    debt_header = [c.value for c in debt[head]]
    first = next(debt.iter_rows(min_row=head + 1, values_only=True))
    assert first[debt_header.index("余额")] == pytest.approx(4.5)
    assert debt.cell(head + 1, debt_header.index("余额") + 1).number_format == "#,##0.00"  # 4.50, as printed
    assert first[debt_header.index("限额")] == "无单列限额"  # as the file says: never 0, never 未公布
    assert "还本付息" not in debt_header  # the seed prints no 还本付息 total: no column of 未公布
    evaluations = book["绩效评价对象"]
    assert [c.value for c in evaluations[header_row(evaluations)]][3] == "涉及金额"


def test_a_filtered_workbook_says_what_it_was_filtered_by(client):
    book = load_workbook(
        io.BytesIO(download(client, f"/export/data.xlsx?{VIEW}&category=" + quote("一般性转移支付")).data)
    )
    sheet = book["转移支付"]
    assert sheet["A2"].value.startswith("筛选：本表只含一般性转移支付")
    labels = [c.value for c in sheet["A"]]
    assert "一般性转移支付合计" in labels and "合计" not in labels  # a part is never called the whole


def test_the_word_report_reads_like_the_seed_in_its_structure_and_fonts(client):
    from docx import Document

    response = download(client, f"/export/report.docx?{VIEW}")
    assert unquote(response.headers["Content-Disposition"]).endswith("株洲经开区2023年财政预算公开_预算说明.docx")
    document = Document(io.BytesIO(response.data))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert [t for s, t in headings if s == "Heading 1"] == [
        "一、税收返还和转移支付情况",
        "二、举借政府债务情况",
        "三、预算绩效管理工作开展情况",
    ]
    level2 = [t for s, t in headings if s == "Heading 2"]
    assert level2[:3] == ["（一）税收返还", "（二）一般性转移支付", "（三）专项转移支付"]
    assert "（一）地方政府债务限额余额情况" in level2 and "（三）地方政府债务还本付息情况" in level2
    assert "（二）预算绩效管理工作存在的问题" in level2 and "（三）下一步预算绩效管理工作思路" in level2
    text = "\n".join(p.text for p in document.paragraphs)
    seed = (ROOT / "tests" / "fixtures" / "seed" / "000_1eab0e6a9a052066.txt").read_text(encoding="utf-8")
    for sentence in (
        "比上年执行数减少10674万元，为上年执行数的13.89%。其中：",
        "1.其他一般性转移支付收入1722万元。",
        "一般性转移支付1722万元，比上年执行数减少2493万元，减少59.15%，主要是涉及社会事务职能移交部分的转移支付已移交石峰区",
        "地方政府债务余额60.71亿元，其中一般债务余额4.50亿元，专项债务余额56.21亿元。",
        "1.全面实施预算绩效目标管理。组织全区37家预算单位",
        "评价结果等级为良的5个，评价结果等级为中的3个。",
        "3.加快预算绩效管理信息系统建设。目前当务之急",
    ):
        assert sentence in text
        if (ROOT.parent / "shared").exists():
            assert sentence in seed.replace("\n", ""), sentence  # the seed's own words
    assert len(document.tables) == 5  # the published tables after their chapters
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋" and document.styles["Normal"].font.size == Pt(16)
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    fonts = document.part.part_related_by(DOCX_RT.FONT_TABLE).blob.decode()
    assert 'w:name="方正小标宋简体"' in fonts and '<w:altName w:val="黑体"/>' in fonts


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    (tmp_path / "transfers.csv").write_text(
        "年度,地区,类别,项目,预算数,上年执行数,说明\n"
        '2023,A,一般性转移支付,,10,20,"=HYPERLINK(""http://example.com"",""点击"")"\n'
        "2023,A,税收返还,,1,2,@SUM(A1)\n"
        "2023,A,专项转移支付,,1,2,+1+1\n",
        encoding="utf-8",
    )
    client = app_module.create_app(tmp_path).server.test_client()
    book = load_workbook(io.BytesIO(download(client, "/export/data.xlsx").data))
    notes = {c.value: c for row in book["转移支付"].iter_rows(min_row=4) for c in row if isinstance(c.value, str)}
    for text in ('=HYPERLINK("http://example.com","点击")', "@SUM(A1)", "+1+1"):
        cell = next(c for value, c in notes.items() if value.startswith(text))
        assert cell.data_type == "s" and cell.quotePrefix


def test_a_failed_export_is_a_clear_message_not_a_broken_file(client, monkeypatch):
    monkeypatch.setattr(chromium, "browser_path", lambda: None)
    monkeypatch.setattr(chromium, "RENDERER", chromium.ChartRenderer())
    for path in ("/export/report.pdf",):
        response = client.get(path)
        assert response.status_code == 503
        assert response.headers["Content-Type"].startswith("text/plain")
        assert "导出失败" in response.get_data(as_text=True) and "Content-Disposition" not in response.headers


@pytest.mark.parametrize(
    ("folder", "search", "printed"),
    [
        # 永春 prints four decimals; 台江 prints 0.10 and 0.00 (a printed zero keeps its decimals).
        ("yongchun-debt-2022", "year=2022", {"限额": "62.7504", "余额": "57.0454", "还本付息": "12.1418"}),
        ("taijiang-debt-2020", "year=2020&region=台江区", {"付息": "0.10", "再融资债券": "0.00", "新增限额": "2.39"}),
    ],
)
def test_the_tables_of_the_report_and_the_workbook_show_each_figure_as_printed(folder, search, printed):
    from components.briefing import deck

    dataset = load_folder(ROOT / "tests" / "fixtures" / "realdocs" / folder)
    the_deck = deck(dataset, search)
    table = next(t for t in exports.section_tables(dataset, the_deck) if t.sheet == "政府债务")
    html_table = exports.table_html(dataset, table)
    book = load_workbook(io.BytesIO(exports.workbook_bytes(dataset, the_deck)))
    sheet = book["政府债务"]
    head = header_row(sheet)
    header = [c.value for c in sheet[head]]
    total_row = head + len(table.rows)  # the 合计 row comes last
    assert sheet.cell(total_row, 1).value == "合计" and sheet["A2"].value == "单位：亿元"
    for label, text in printed.items():
        assert f'<td class="num">{text}</td>' in html_table, (label, text)
        cell = sheet.cell(total_row, header.index(label) + 1)
        assert f"{cell.value:.{len(text.split('.')[1])}f}" == text and cell.number_format.endswith(
            "." + "0" * len(text.split(".")[1])
        )


def test_the_exports_of_a_real_debt_notice_have_only_its_section_numbered_from_one():
    from docx import Document

    from components.briefing import deck

    dataset = load_folder(ROOT / "tests" / "fixtures" / "realdocs" / "taijiang-debt-2020")
    the_deck = deck(dataset, "year=2020&region=" + quote("台江区"))
    document = Document(io.BytesIO(exports.docx_bytes(dataset, the_deck)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、举借政府债务情况"]  # no empty chapter for the sections it does not have
    text = "\n".join(p.text for p in document.paragraphs)
    assert "平均期限" not in text  # not printed: not said
    slides = Presentation(io.BytesIO(exports.pptx_bytes(dataset, the_deck)))
    charts = [sh.chart for s in slides.slides for sh in s.shapes if sh.has_chart]
    flows = next(c for c in charts if c.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED)
    totals = {s.name: list(s.values) for s in flows.plots[0].series}
    assert totals["合计"][2:4] == [0.13, 0.10]  # 还本, 付息 as the notice prints them, on the 合计 only
    assert all(slide.has_notes_slide and slide.notes_slide.notes_text_frame.text for slide in slides.slides)
