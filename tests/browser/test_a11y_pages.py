"""Every page of the registry by keyboard and screen reader, and on a touch tablet: landmarks,
one h1, the skip link first, a tab title per view; the filters, the charts' cross-filter, their
数据表, the evaluation list and the exports by keys alone; no page wider than a 768 px screen."""

from __future__ import annotations

import pytest

from components.pages import PAGES, PRESENT_PATH
from tests.browser.conftest import DashboardPage

FOCUSED = """() => {
  const e = document.activeElement;
  return e ? {tag: e.tagName, id: e.id, text: (e.textContent || '').trim().slice(0, 30),
              outline: getComputedStyle(e).outlineStyle, width: parseFloat(getComputedStyle(e).outlineWidth)} : null;
}"""

LANDMARKS = """() => ({
  banner: document.querySelectorAll('header').length,
  nav: document.querySelectorAll('header nav').length,
  main: document.querySelectorAll('main').length,
  contentinfo: [...document.querySelectorAll('footer')].filter(f => !f.closest('main, article, aside, nav, section')).length,
  h1: [...document.querySelectorAll('h1')].map(h => h.textContent.trim()),
})"""

# How far the page reaches past the screen's right edge, and what reaches furthest.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  let widest = null, right = width;
  document.querySelectorAll('body *').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > right + 1 && getComputedStyle(e).visibility !== 'hidden') {
      let clipped = false;
      for (let a = e.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX !== 'visible' && a.getBoundingClientRect().right <= width + 1) { clipped = true; break; }
      }
      if (!clipped) { right = r.right; widest = e.tagName + '.' + e.className; }
    }
  });
  return {scroll: document.documentElement.scrollWidth - width, right: right - width, widest: widest};
}"""


def view_path(page) -> str:
    return page.path + ("?year=2023" if page.filtered else "")


def tab_to(dashboard, predicate, limit: int = 60) -> dict:
    """Press Tab until the focused element matches (a dict from FOCUSED); fails after `limit` presses."""
    for _ in range(limit):
        dashboard.page.keyboard.press("Tab")
        now = dashboard.page.evaluate(FOCUSED)
        if now and predicate(now):
            return now
    raise AssertionError(f"Tab never reached the element (last: {now})")


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_landmarks_one_h1_and_the_skip_link_first(dashboard, page):
    dashboard.goto(view_path(page))
    shape = dashboard.page.evaluate(LANDMARKS)
    assert shape["banner"] == 1 and shape["nav"] == 1 and shape["main"] == 1 and shape["contentinfo"] == 1
    assert len(shape["h1"]) == 1, shape["h1"]
    first = tab_to(dashboard, lambda e: True, limit=1)
    assert first["text"] == "跳到正文" and first["outline"] != "none"
    assert dashboard.page.locator("#skip-link").is_visible()
    dashboard.page.keyboard.press("Enter")
    assert dashboard.page.evaluate("document.activeElement.id") == "main"
    nxt = tab_to(dashboard, lambda e: True, limit=1)  # past the navigation: into the page itself
    assert not dashboard.page.locator("header").evaluate("(h, id) => h.contains(document.activeElement)", nxt["id"])
    dashboard.assert_clean()


def test_the_tab_title_names_the_page_and_its_view(dashboard):
    titles = {}
    for page in PAGES:
        dashboard.goto(view_path(page))
        titles[page.key] = dashboard.poll(dashboard.page.title, dashboard.page.title())
    assert titles["debt"] == "政府债务 · 2022年 · 株洲经开区 — 财政预算公开看板"  # its newest year not after 2023
    assert titles["check"] == "数据检查 — 财政预算公开看板"
    assert len(set(titles.values())) == len(PAGES)
    dashboard.goto("/transfers?year=2023")
    dashboard.select("transfers-category", "税收返还")
    assert (
        dashboard.poll(dashboard.page.title, "x")
        == "转移支付 · 2023年 · 株洲经开区 · 类别：税收返还 — 财政预算公开看板"
    )
    dashboard.goto(PRESENT_PATH + "?year=2023")
    assert dashboard.page.title().startswith("演示模式 · 2023年")
    dashboard.assert_clean()


def test_a_filter_by_keys_alone(dashboard):
    """Tab reaches the 类别 filter, the keyboard opens it and picks, and the chart follows."""
    dashboard.goto("/transfers?year=2023")
    before = dashboard.series("transfers-bars")
    focused = tab_to(dashboard, lambda e: e["id"] == "transfers-category")
    assert focused["tag"] == "BUTTON" and focused["width"] >= 2  # the dropdown's button itself, with a ring
    dashboard.page.keyboard.press("ArrowDown")  # opens the list, focus on its search box
    options = dashboard.page.get_by_role("option")
    options.first.wait_for()
    names = [t.strip() for t in options.all_inner_texts()]
    assert "税收返还" in names

    option = (
        "(() => { const e = document.activeElement; return (e.closest('[role=option]') || e).textContent.trim(); })()"
    )

    def pick():  # as a reader does: down the list until the option has focus, then Enter
        for _ in range(len(names) + 2):
            if dashboard.page.evaluate(option) == "税收返还":
                break
            dashboard.page.keyboard.press("ArrowDown")
            dashboard.page.wait_for_timeout(50)
        assert dashboard.page.evaluate(option) == "税收返还"
        dashboard.page.keyboard.press("Enter")
        dashboard.page.keyboard.press("Escape")

    dashboard.act(pick)
    assert dashboard.filter_values("transfers-category") == ["税收返还"]
    assert dashboard.query()["category"] == ["税收返还"]
    after = dashboard.series("transfers-bars")
    assert list(after["预算数"]) == ["税收返还"] and list(before["预算数"]) != list(after["预算数"])
    dashboard.assert_clean()


def test_the_cross_filter_by_keys_alone(dashboard):
    """The buttons beside a chart do what clicking its bar does, and say whether they are pressed."""
    dashboard.goto("/transfers?year=2023")
    group = dashboard.page.get_by_role("group", name="预算数与上年执行数：按类别筛选，与点击图形相同")
    button = group.get_by_role("button", name="一般性转移支付")
    assert button.get_attribute("aria-pressed") == "false"
    button.focus()
    dashboard.act(lambda: dashboard.page.keyboard.press("Enter"))
    assert dashboard.filter_values("transfers-category") == ["一般性转移支付"]
    assert list(dashboard.series("transfers-bars")["预算数"]) == ["一般性转移支付"]
    assert dashboard.poll(lambda: button.get_attribute("aria-pressed"), "true") == "true"
    assert dashboard.page.evaluate(FOCUSED)["text"].endswith("一般性转移支付")  # focus stays on the button
    # The waterfall's own buttons follow, and Space undoes it.
    other = dashboard.page.get_by_role("group", name="从上年执行数到本年预算数的增减：按类别筛选，与点击图形相同")
    assert other.get_by_role("button", name="一般性转移支付").get_attribute("aria-pressed") == "true"
    dashboard.act(lambda: dashboard.page.keyboard.press(" "))
    assert dashboard.filter_values("transfers-category") == []
    assert dashboard.poll(lambda: button.get_attribute("aria-pressed"), "false") == "false"

    dashboard.goto("/performance?year=2022")
    types = dashboard.page.get_by_role("group", name="评价对象类型：按对象类型筛选，与点击图形相同")
    types.get_by_role("button", name="项目支出").focus()
    dashboard.act(lambda: dashboard.page.keyboard.press("Enter"))
    assert dashboard.query()["target_type"] == ["项目支出"]
    shapes = dashboard.page.evaluate(
        "() => document.querySelector('#performance-types .js-plotly-plot')._fullData[0].marker.pattern.shape"
    )
    assert shapes == [".", ""]  # 部门整体支出 left out: dotted in its colour, not greyed away
    dashboard.assert_clean()


TABLE_ROWS = """box => [...document.querySelectorAll('#' + box + ' tr')].map(r => [...r.cells].map(c => c.textContent))"""


def open_tables(dashboard) -> int:
    """Open every 数据表 of the page (as a click would); how many there are."""
    return dashboard.page.evaluate(
        "() => { const all = [...document.querySelectorAll('#page details.chart-table')];"
        " all.forEach(d => { d.open = true; }); return all.length; }"
    )


def test_every_chart_has_its_data_table_one_key_away(dashboard):
    dashboard.goto("/transfers?year=2023")
    summary = tab_to(dashboard, lambda e: e["tag"] == "SUMMARY" and e["text"] == "数据表")
    assert summary["width"] >= 2
    dashboard.page.keyboard.press("Enter")
    table = dashboard.page.locator("#transfers-bars-table table")
    table.wait_for()
    rows = {r[0]: r[1:] for r in dashboard.page.evaluate(TABLE_ROWS, "transfers-bars-table")}
    assert rows["类别"] == ["上年执行数", "预算数"]  # the legend-only key traces are no columns
    assert rows["一般性转移支付"] == ["4,215 万元（计算值）", "1,722 万元"]  # as the hover says, marked where computed
    assert rows["税收返还"][1] == "0 万元"  # a printed 0 stays 0, never 未公布
    assert "数值轴：" in dashboard.page.locator("#transfers-bars-table").inner_text()

    # Open while the chart is redrawn: the table follows the new figure (here 亿元 for 万元).
    dashboard.pick_unit("transfers", "亿元")
    assert dashboard.poll(
        lambda: dict((r[0], r[1:]) for r in dashboard.page.evaluate(TABLE_ROWS, "transfers-bars-table"))
        .get("一般性转移支付", [""])[-1].endswith("亿元"),
        True,
    ), "the open table shows the redrawn chart's figures"

    dashboard.goto("/debt?year=2022")
    open_tables(dashboard)
    donut = dashboard.page.evaluate(TABLE_ROWS, "debt-composition-table")
    assert donut[0] == ["项目", "数值"] and ["一般债务", "4.50 亿元"] in donut  # a slice with its unit

    for page in ("/", "/debt?year=2022", "/performance?year=2022"):
        dashboard.goto(page)
        graphs = dashboard.page.locator("#page .chart-card .dash-graph").count()
        tables = open_tables(dashboard)
        assert graphs >= 2 and tables >= graphs - 1, page  # 债务限额与余额 is drawn in its panel, described there
        filled = dashboard.page.locator("#page details.chart-table :is(table, .chart-table-empty)").count()
        assert filled == tables, page  # a table, or why the chart is empty (各等级涉及金额未公布)
    counts = dashboard.page.evaluate(TABLE_ROWS, "performance-types-table")
    assert counts == [["类别", "评价对象数（个）"], ["部门整体支出", "3"], ["项目支出", "5"]]
    dashboard.assert_clean()


def test_the_evaluation_list_and_the_exports_by_keys(dashboard):
    dashboard.goto("/performance?year=2022")
    cell = tab_to(dashboard, lambda e: "ag-header-cell" in dashboard.page.evaluate("document.activeElement.className"))
    assert cell is not None
    dashboard.page.keyboard.press("ArrowDown")
    row = dashboard.page.evaluate(
        "document.activeElement.closest('.ag-row') ? document.activeElement.textContent : null"
    )
    assert row, "ArrowDown from the header moves into the first row"
    dashboard.page.locator("#export-menu .dropdown-toggle, #export-menu > a, #export-menu button").first.focus()
    dashboard.page.keyboard.press("Enter")
    item = dashboard.page.locator("#export-pdf")
    item.wait_for(state="visible")
    dashboard.page.keyboard.press("ArrowDown")
    assert dashboard.page.evaluate("document.activeElement.classList.contains('dropdown-item')")
    dashboard.page.keyboard.press("Escape")
    dashboard.assert_clean()


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_a_tablet_can_use_every_page(tablet, seed_server, page):
    dashboard = DashboardPage(tablet, seed_server)
    try:
        dashboard.goto(view_path(page))
        overflow = dashboard.page.evaluate(OVERFLOW)
        assert overflow["scroll"] <= 0 and overflow["right"] <= 1, overflow
        for graph in dashboard.page.locator("#page .js-plotly-plot:visible").all():
            assert graph.bounding_box()["width"] <= 768
        year = dashboard.page.locator(f"#{page.key}-year")
        if page.filtered and (page.key != "monitor" or year.count()):  # the seed has no monitor data: no filters
            year.tap()
            dashboard.page.get_by_role("option").first.wait_for()
            dashboard.page.keyboard.press("Escape")
        if page.key == "performance":
            viewport = dashboard.page.locator("#performance-grid .ag-center-cols-viewport")
            assert viewport.evaluate("v => getComputedStyle(v).overflowX") in ("auto", "scroll")
            box = dashboard.page.locator("#performance-grid").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 768
            # Every name whole: 基层医疗卫生机构与省直中医院联体运营 was cut off at one line (AG Grid's
            # paged rows cannot grow to their text, so they hold two lines).
            cut = dashboard.page.eval_on_selector_all(
                '#performance-grid .ag-cell[col-id="target"]',
                "cells => cells.filter(c => c.scrollHeight > c.clientHeight + 1).map(c => c.textContent)",
            )
            assert dashboard.rendered_grid_rows("performance-grid") == 8 and cut == []
        dashboard.assert_clean()
    finally:
        dashboard.close()
