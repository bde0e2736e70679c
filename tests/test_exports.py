"""Exports opened by their own readers: python-pptx, the PDF's text, openpyxl.

The slides and the report need the machine's Chromium (kaleido and the PDF printer use it).
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

import app as app_module
from components import exports

ROOT = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(exports.browser_path() is None, reason="Debian's chromium is not installed")
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


@needs_chromium
def test_slides_open_in_python_pptx_one_per_chart_in_report_order(client):
    response = download(client, f"/export/slides.pptx?{VIEW}")
    assert unquote(response.headers["Content-Disposition"]).endswith("株洲经开区2023年财政预算公开_演示文稿.pptx")
    deck = Presentation(io.BytesIO(response.data))
    slides = list(deck.slides)
    assert len(slides) == 1 + 8  # cover, then the eight slides of briefing mode
    titles = [s.shapes.title.text for s in slides]
    assert titles[1] == "株洲经开区2023年财政预算公开要点"
    assert titles[2] == "2023年转移支付：预算数与上年执行数"
    assert titles[-1] == "2022年预算绩效管理存在的问题与下一步工作思路"
    pictures = [sum(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in s.shapes) for s in slides]
    assert pictures == [0, 0, 1, 1, 1, 1, 1, 1, 0]
    text = " ".join(sh.text_frame.text for sh in slides[2].shapes if sh.has_text_frame)
    assert "2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。" in text
    assert "来源：株洲经开区2023年预算说明" in text and "数据文件修改时间：" in text
    image = next(sh for sh in slides[2].shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE).image
    assert image.content_type == "image/png" and image.size[0] >= 2000  # drawn at twice the size: sharp


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
    assert flat("预算数（万元）") in text and flat("预算绩效管理理念有待提高") in text
    first = flat(reader.pages[0].extract_text())
    assert "株洲经开区2023年财政预算公开" in first and "共" in first  # cover with its page number


def test_workbook_has_a_sheet_per_section_with_units_and_unpublished_cells(client):
    response = download(client, f"/export/data.xlsx?{VIEW}&unit=" + quote("亿元"))
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["说明", "转移支付", "政府债务", "绩效评价对象", "评价等级分布", "绩效指标"]
    transfers = book["转移支付"]
    header = [c.value for c in transfers[1]]
    assert "预算数（亿元）" in header and "增减率（%）" in header
    general = next(r for r in transfers.iter_rows(min_row=2, values_only=True) if r[2] == "一般性转移支付" and not r[3])
    assert general[header.index("预算数（亿元）")] == pytest.approx(0.1722)
    debt = book["政府债务"]
    debt_header = [c.value for c in debt[1]]
    first = next(debt.iter_rows(min_row=2, values_only=True))
    assert first[debt_header.index("余额（亿元）")] == pytest.approx(4.5)
    assert debt.cell(2, debt_header.index("余额（亿元）") + 1).number_format == "#,##0.00"  # 4.50, as printed
    assert first[debt_header.index("限额（亿元）")] == "无单列限额"  # as the file says: never 0, never 未公布
    assert "还本付息（亿元）" not in debt_header  # the seed prints no 还本付息 total: no column of 未公布
    evaluations = book["绩效评价对象"]
    assert [c.value for c in evaluations[1]][5] == "涉及金额（亿元）"


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
    notes = {c.value: c for row in book["转移支付"].iter_rows(min_row=2) for c in row if isinstance(c.value, str)}
    for text in ('=HYPERLINK("http://example.com","点击")', "@SUM(A1)", "+1+1"):
        assert notes[text].data_type == "s" and notes[text].quotePrefix


def test_a_failed_export_is_a_clear_message_not_a_broken_file(client, monkeypatch):
    monkeypatch.setattr(exports, "browser_path", lambda: None)
    monkeypatch.setattr(exports, "RENDERER", exports.ChartRenderer())
    for path in ("/export/report.pdf", "/export/slides.pptx"):
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
    from components.data import load_folder

    dataset = load_folder(ROOT / "tests" / "fixtures" / "realdocs" / folder)
    the_deck = deck(dataset, search)
    name, table = next((n, t) for n, t in exports.view_tables(dataset, the_deck) if n == "政府债务")
    html_table = exports.table_html(name, table)
    book = load_workbook(io.BytesIO(exports.workbook_bytes(dataset, the_deck)))
    sheet = book["政府债务"]
    header = [c.value for c in sheet[1]]
    total_row = sheet.max_row  # the 合计 row comes last
    for label, text in printed.items():
        assert f'<td class="num">{text}</td>' in html_table, (label, text)
        cell = sheet.cell(total_row, header.index(f"{label}（亿元）") + 1)
        assert f"{cell.value:.{len(text.split('.')[1])}f}" == text and cell.number_format.endswith(
            "." + "0" * len(text.split(".")[1])
        )
