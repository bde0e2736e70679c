"""Briefing mode driven by the keyboard, the unit switch, exports from the page, and printing."""

from __future__ import annotations

import io
import unicodedata
from urllib.parse import parse_qs, urlsplit

from openpyxl import load_workbook
from pypdf import PdfReader

REGION = "株洲经开区"
TITLES = [
    "株洲经开区2023年财政预算公开要点",
    "2023年转移支付：预算数与上年执行数",
    "2023年转移支付：比上年执行数的增减",
    "2022年末政府债务余额构成",
    "2022年新增债券与还本付息",
    "2022年绩效评价结果等级分布",
    "2022年财政重点评价对象类型",
    "2022年预算绩效管理存在的问题与下一步工作思路",
]


def active_title(dashboard) -> str:
    return dashboard.page.locator("#present .slide.active .slide-title").inner_text()


def counter(dashboard) -> str:
    return dashboard.page.locator("#present .slide-counter").inner_text()


def slide_param(dashboard) -> str | None:
    return (parse_qs(urlsplit(dashboard.page.url).query).get("slide") or [None])[0]


def press(dashboard, key: str, expected_title: str) -> None:
    dashboard.page.keyboard.press(key)
    assert dashboard.poll(lambda: active_title(dashboard), expected_title) == expected_title, key


def test_briefing_mode_follows_a_clickers_keys_in_report_order(dashboard):
    dashboard.goto("/present?year=2023")
    assert active_title(dashboard) == TITLES[0] and counter(dashboard) == "1 / 8"
    seen = [active_title(dashboard)]
    for _ in range(len(TITLES) - 1):
        dashboard.page.keyboard.press("ArrowRight")
        dashboard.poll(lambda: counter(dashboard), f"{len(seen) + 1} / 8")
        seen.append(active_title(dashboard))
    assert seen == TITLES
    press(dashboard, "ArrowRight", TITLES[-1])  # stays on the last
    press(dashboard, "PageUp", TITLES[-2])
    press(dashboard, "ArrowLeft", TITLES[-3])
    press(dashboard, "PageDown", TITLES[-2])
    press(dashboard, "Home", TITLES[0])
    press(dashboard, " ", TITLES[1])
    press(dashboard, "End", TITLES[-1])
    assert slide_param(dashboard) == "8"

    # Each chart slide draws its chart and says what the report says.
    press(dashboard, "Home", TITLES[0])
    press(dashboard, "ArrowRight", TITLES[1])
    active = dashboard.page.locator("#present .slide.active")
    assert active.locator(".js-plotly-plot .main-svg").count() > 0
    assert "2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。" in active.inner_text()
    assert "来源：株洲经开区2023年预算说明" in active.inner_text()
    dashboard.assert_clean()


def test_a_reload_stays_on_the_slide_and_esc_returns_to_its_page(dashboard):
    dashboard.goto("/present?year=2023&slide=4")
    assert active_title(dashboard) == TITLES[3]
    press(dashboard, "ArrowRight", TITLES[4])
    dashboard.page.reload()
    dashboard.settle()
    assert active_title(dashboard) == TITLES[4] and slide_param(dashboard) == "5"
    dashboard.act(lambda: dashboard.page.keyboard.press("Escape"))
    assert dashboard.path() == "/debt"
    # The debt page's latest year up to 2023, written into the URL by the page (a clientside step
    # after its answer, which a loaded machine may run after the settle).
    assert dashboard.poll(lambda: dashboard.query().get("year"), ["2022"]) == ["2022"]
    assert dashboard.page.locator("#present").count() == 0
    dashboard.assert_clean()


def test_no_text_under_24px_at_1920_by_1080_in_either_theme(dashboard):
    dashboard.page.set_viewport_size({"width": 1920, "height": 1080})
    for theme in ("", "&theme=contrast"):
        dashboard.goto(f"/present?year=2023&slide=2{theme}")
        sizes = dashboard.page.evaluate(
            """() => [...document.querySelectorAll('#present .slide.active *, #present .present-bar *')]
                 .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
                 .map(e => [e.textContent.trim().slice(0, 20), parseFloat(getComputedStyle(e).fontSize)])"""
        )
        small = [(text, size) for text, size in sizes if size < 24]
        assert sizes and small == [], small
    background = dashboard.page.evaluate("getComputedStyle(document.getElementById('present')).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    dashboard.assert_clean()


def test_the_projector_theme_is_switched_by_key_and_kept_in_the_url(dashboard):
    dashboard.goto("/present?year=2023&slide=3")
    dashboard.act(lambda: dashboard.page.keyboard.press("c"))
    assert dashboard.query().get("theme") == ["contrast"] and active_title(dashboard) == TITLES[2]
    assert "contrast" in dashboard.page.locator("#present").get_attribute("class")
    paper = dashboard.page.evaluate(
        "document.querySelector('#present .slide.active .js-plotly-plot')._fullLayout.paper_bgcolor"
    )
    assert paper == "#000000"
    dashboard.assert_clean()


def test_briefing_mode_opens_at_the_pages_own_section_with_its_filters(dashboard):
    dashboard.goto("/debt?year=2022")
    dashboard.act(lambda: dashboard.page.locator("#present-link").click())
    assert dashboard.path() == "/present"
    assert active_title(dashboard) == "2022年末政府债务余额构成"
    dashboard.assert_clean()


def test_the_unit_switch_changes_cards_charts_captions_links_and_the_url(dashboard):
    dashboard.goto("/transfers?year=2023")
    dashboard.pick_unit("transfers", "亿元")
    assert dashboard.query().get("unit") == ["亿元"]
    assert "0.17 亿元" in dashboard.text("#transfers-kpi-budget")
    assert "2023年转移支付预算0.17亿元" in dashboard.text("#transfers-bars-caption")
    y_title = dashboard.page.evaluate(
        "document.querySelector('#transfers-bars .js-plotly-plot')._fullLayout.yaxis.title.text"
    )
    assert y_title == "金额（亿元）"
    debt_link = dashboard.page.locator("#navbar .me-auto .nav-link", has_text="政府债务").get_attribute("href")
    assert parse_qs(urlsplit(debt_link).query)["unit"] == ["亿元"]
    pdf_link = dashboard.page.locator("#export-pdf").get_attribute("href")
    assert pdf_link.startswith("/export/report.pdf?") and parse_qs(urlsplit(pdf_link).query)["unit"] == ["亿元"]
    dashboard.assert_clean()


def test_the_export_menu_downloads_a_workbook_of_the_view(dashboard):
    dashboard.goto("/debt?year=2022&unit=%E4%B8%87%E5%85%83")
    dashboard.page.locator("#export-menu").click()
    with dashboard.page.expect_download() as download:
        dashboard.page.locator("#export-xlsx").click()
    # The 2022 debt figures are the 2023 budget explanation's: its workbook, not a 2022 one without transfers.
    assert download.value.suggested_filename == "株洲经开区2023年财政预算公开_数据.xlsx"
    with open(download.value.path(), "rb") as file:
        book = load_workbook(io.BytesIO(file.read()))
    debt = book["政府债务"]
    assert debt["A1"].value == "株洲经开区2022年地方政府债务限额及余额情况表" and debt["A2"].value == "单位：万元"
    header = [c.value for c in debt[3]]
    debt_row = next(debt.iter_rows(min_row=4, values_only=True))
    assert debt_row[0] == "一般债务" and debt_row[header.index("余额")] == 45000
    assert "转移支付" in book.sheetnames
    dashboard.assert_clean()


def test_an_export_says_it_is_being_made_and_cannot_be_started_twice(dashboard):
    dashboard.goto("/transfers?year=2023")
    status = dashboard.page.locator("#export-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.is_hidden()
    asked = []
    dashboard.page.on("request", lambda r: asked.append(r.url) if "/export/" in r.url else None)
    dashboard.page.locator("#export-menu").click()
    with dashboard.page.expect_download() as download:
        dashboard.page.locator("#export-xlsx").click()
        status.wait_for(state="visible", timeout=2000)  # at once, not when the file arrives
        assert status.inner_text().startswith("正在生成，请稍候…")
        assert dashboard.page.locator("#export-xlsx").get_attribute("aria-disabled") == "true"
        dashboard.page.locator("#export-xlsx").dispatch_event("click")  # a second click while it is made
    assert download.value.suggested_filename == "株洲经开区2023年财政预算公开_数据.xlsx"
    assert len(asked) == 1  # made once
    dashboard.page.wait_for_function("document.getElementById('export-status').textContent.startsWith('已生成')")
    assert dashboard.page.locator("#export-xlsx").get_attribute("aria-disabled") is None
    dashboard.goto("/present?year=2023")
    with dashboard.page.expect_download():
        dashboard.page.locator("#present .present-export", has_text="Excel").click()
        status.wait_for(state="visible", timeout=2000)
    assert (
        dashboard.page.evaluate("parseFloat(getComputedStyle(document.getElementById('export-status')).fontSize)") >= 24
    )
    dashboard.assert_clean()


def test_a_charts_toolbar_saves_a_png_with_a_chinese_name(dashboard):
    dashboard.goto("/transfers?year=2023")
    graph = dashboard.page.locator("#transfers-bars")
    graph.locator(".js-plotly-plot").hover()
    with dashboard.page.expect_download() as download:
        graph.locator(".modebar-btn[data-title='下载图表为PNG格式']").click()
    assert download.value.suggested_filename == "转移支付_预算数与上年执行数.png"
    with open(download.value.path(), "rb") as image:
        png = image.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # Title, year, region, unit and source are drawn in: a band above and below the chart as shown.
    shown = dashboard.page.evaluate("document.querySelector('#transfers-bars .js-plotly-plot')._fullLayout.height")
    height = int.from_bytes(png[20:24], "big")
    assert height == 2 * (shown + 140)
    dashboard.assert_clean()


def test_printing_gives_a4_pages_without_the_navigation(dashboard):
    dashboard.goto("/transfers?year=2023")
    dashboard.page.emulate_media(media="print")
    assert not dashboard.page.locator("#navbar").is_visible()
    assert not dashboard.page.locator("#transfers-unit").is_visible()
    # The filters print as the view they name, not as controls; the table fits the page's width.
    assert not dashboard.page.locator(".filter-bar .dash-dropdown-trigger-icon").first.is_visible()
    assert not dashboard.page.locator(".chart-choices").first.is_visible()
    page_width = dashboard.page.evaluate("document.querySelector('#page').getBoundingClientRect().right")
    table = dashboard.page.locator("#transfers-table table").bounding_box()
    assert table["x"] + table["width"] <= page_width + 1
    pdf = PdfReader(io.BytesIO(dashboard.page.pdf(format="A4", print_background=True)))
    width, height = (float(v) for v in pdf.pages[0].mediabox.upper_right)
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
    text = "".join(unicodedata.normalize("NFKC", "".join(p.extract_text() for p in pdf.pages)).split())
    assert "税收返还和转移支付" in text and "2023年转移支付预算1722万元" in text and "2023年株洲经开区" in text  # the view, as text
    assert "演示模式" not in text and "金额单位" not in text
    dashboard.page.emulate_media(media="screen")
    dashboard.assert_clean()
