"""What the browser does without the server.

The unit switch (routing.register_units): once the pointer has reached the switch and the other
units have arrived, a pick redraws the page with no request, and shows exactly what the server
draws for that unit; without them the pick asks the server as before. On a touch screen each
view drawn asks for them, since no pointer comes before a tap. The cross-filter
(routing.CrossFilter): a click sets the filter in the browser, and the view is the one request."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from components import ids

from .conftest import DashboardPage, running_server

pytestmark = pytest.mark.browser
REALDOCS = Path(__file__).parents[1] / "fixtures" / "realdocs"

GRAPHS = "Array.from(document.querySelectorAll('#page .js-plotly-plot'), g => g.closest('[id]').id)"
COUNT_CLICKS = """(id) => {
  window.__plotClicks = 0;
  document.querySelector('#' + id + ' .js-plotly-plot').on('plotly_click', () => { window.__plotClicks += 1; });
}"""
LABELS = "Array.from(document.querySelectorAll('#page .js-plotly-plot svg text'), t => t.textContent)"


def drawn(dash) -> dict:
    """What a delegate reads: the page's text (sentences, tables, KPIs), every chart's data and the
    words and figures drawn in the charts (labels, axes, titles)."""
    graphs = [g for g in dash.page.evaluate(GRAPHS) if g]
    charts = {g: dash.figure_data(g) for g in graphs}
    return {"text": dash.text("#page"), "charts": charts, "labels": sorted(dash.page.evaluate(LABELS))}


def dash_requests(dash) -> list[str]:
    asked: list[str] = []
    dash.page.on("request", lambda r: asked.append((r.post_data or "")[:200]) if "_dash-update" in r.url else None)
    return asked


def pick_after_hover(dash, page: str, unit: str) -> list[str]:
    """The pointer rests on the switch (the other units are asked for), then `unit` is picked and
    drawn; the Dash requests made from the pick on."""
    switch = dash.page.locator(f"#{page}-unit")
    dash.act(switch.hover)
    asked = dash_requests(dash)
    switch.get_by_text(unit, exact=True).click()
    dash.poll(lambda: dash.query().get("unit"), [unit])
    dash.settle()
    return asked


@pytest.mark.parametrize(
    ("path", "unit", "said"),
    [("/transfers", "亿元", "0.17 亿元"), ("/debt", "万元", "607,100 万元"), ("/", "万元", "607,100 万元")],
)
def test_a_unit_picked_once_the_pointer_reached_the_switch_is_drawn_without_a_request(
    open_dashboard, seed_server, path, unit, said
):
    dash = open_dashboard(seed_server).goto(path)
    page = path.strip("/") or "overview"
    switch = dash.page.locator(f"#{page}-unit")
    dash.act(switch.hover)  # the pointer on the switch asks for the other units: one request
    started = dash.page.evaluate("window.__dashStarted")
    switch.get_by_text(unit, exact=True).click()
    dash.poll(lambda: dash.query().get("unit"), [unit])
    dash.settle()
    assert dash.page.evaluate("window.__dashStarted") == started, "the pick went to the server"
    here = drawn(dash)
    assert said in here["text"]

    served = open_dashboard(seed_server).goto(f"{path}?unit={unit}")  # the same view drawn by the server
    assert here == drawn(served)
    dash.assert_clean()


@pytest.fixture(scope="module")
def realdoc_server(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    for source in (REALDOCS / request.param).glob("*.csv"):
        shutil.copy2(source, folder / source.name)
    with running_server(folder, tmp_path_factory.mktemp(f"log-{request.param}")) as base:
        yield base


@pytest.mark.parametrize(
    ("realdoc_server", "path", "units"),
    [
        # printed in 亿元 beside a row in 万元 (政府性基金转移收入 27 万元)
        ("karamay-transfers-2020", "/transfers", ["万元", "元", "亿元"]),
        ("nanzhang-debt-2023", "/debt", ["万元", "亿元"]),  # printed in 亿元, limit not published
    ],
    indirect=["realdoc_server"],
)
def test_picks_on_a_published_document_show_what_the_server_draws(open_dashboard, realdoc_server, path, units):
    dash = open_dashboard(realdoc_server).goto(path)
    page = path.strip("/")
    switch = dash.page.locator(f"#{page}-unit")
    served = open_dashboard(realdoc_server)
    for unit in units:
        dash.page.bring_to_front()  # a tab behind another draws late (its timers are throttled)
        dash.page.mouse.move(5, 5)
        dash.act(switch.hover)
        started = dash.page.evaluate("window.__dashStarted")
        switch.get_by_text(unit, exact=True).click()
        dash.settle()
        assert dash.page.evaluate("window.__dashStarted") == started, f"{unit}: the pick went to the server"
        assert drawn(dash) == drawn(served.goto(f"{path}?unit={unit}")), unit
    dash.assert_clean()


def test_on_a_touch_screen_each_view_drawn_asks_so_a_tap_needs_no_request(tablet, open_dashboard, seed_server):
    """No pointer comes before a tap: the page asks as soon as a view is drawn (the new one too)."""
    dash = DashboardPage(tablet, seed_server)
    try:
        dash.goto("/transfers")
        asked = dash_requests(dash)
        dash.page.locator("#transfers-unit").get_by_text("亿元", exact=True).tap()
        dash.poll(lambda: dash.query().get("unit"), ["亿元"])
        dash.settle()
        assert asked and all("unit-views" in a for a in asked), asked  # only for the next tap
        assert drawn(dash) == drawn(open_dashboard(seed_server).goto("/transfers?unit=亿元"))
        dash.assert_clean()
    finally:
        dash.close()


def test_a_pick_with_nothing_held_for_the_view_asks_the_server(open_dashboard, seed_server):
    dash = open_dashboard(seed_server).goto("/transfers")
    switch = dash.page.locator("#transfers-unit")
    dash.act(switch.hover)
    dash.select("transfers-category", "一般性转移支付")  # another view: what was held is for all three
    dash.act(lambda: switch.get_by_text("亿元", exact=True).click())  # asks: a request
    assert dash.query().get("category") == ["一般性转移支付"] and dash.query().get("unit") == ["亿元"]
    served = open_dashboard(seed_server).goto("/transfers?category=一般性转移支付&unit=亿元")
    assert drawn(dash) == drawn(served)
    dash.assert_clean()


def test_on_the_performance_page_a_pick_asks_at_most_for_the_lists_rows(open_dashboard, seed_server):
    """The list is paged by the server (its rows carry amounts in the unit): it alone may ask again."""
    dash = open_dashboard(seed_server).goto("/performance")
    asked = pick_after_hover(dash, "performance", "万元")
    assert all('"output":"performance-grid.getRowsResponse"' in a for a in asked), asked
    served = open_dashboard(seed_server).goto("/performance?unit=万元")
    assert drawn(dash) == drawn(served)
    dash.assert_clean()


def test_on_the_monitor_page_a_pick_with_month_and_threshold_set_is_drawn_without_a_request(
    open_dashboard, monitor_server
):
    """Its filters go beyond year, region and the page's params: month and the two thresholds."""
    view = "/monitor?year=2023&region=合成区&month=3&yellow=15"
    dash = open_dashboard(monitor_server).goto(view)
    asked = pick_after_hover(dash, "monitor", "万元")
    assert asked == [], "the pick went to the server"
    assert dash.query()["month"] == ["3"] and dash.query()["yellow"] == ["15"]
    here = drawn(dash) | {"alerts": dash.grid_rows(ids.MON_ALERTS)}
    assert "截至3月末" in here["text"]
    served = open_dashboard(monitor_server).goto(view + "&unit=万元")
    assert here == drawn(served) | {"alerts": served.grid_rows(ids.MON_ALERTS)}
    dash.assert_clean()


def test_a_click_on_a_category_costs_one_request_and_a_total_bar_none(dashboard):
    dash = dashboard.goto("/transfers")
    asked = dash_requests(dash)
    dash.page.evaluate(COUNT_CLICKS, "transfers-waterfall")
    bars = dash.page.locator("#transfers-waterfall .barlayer .point")
    for i in (0, bars.count() - 1):  # 上年执行数 and 本年预算数: no category
        box = bars.nth(i).bounding_box()
        dash.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    dash.page.wait_for_timeout(500)
    dash.settle()
    assert dash.page.evaluate("window.__plotClicks") == 2  # both landed
    assert asked == [] and dash.filter_values("transfers-category") == []

    dash.click_bar("transfers-waterfall", "专项转移支付")
    assert dash.filter_values("transfers-category") == ["专项转移支付"]
    assert len(asked) == 1 and "transfers-bars.figure" in asked[0], asked  # the view, nothing before it
    dash.assert_clean()
