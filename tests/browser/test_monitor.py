"""绩效监控 in a real browser: the page, its filters (year, month, region, thresholds), the
click-through to a unit's indicators, the 预警 list, and the URL that reproduces the view.

The folder is examples/monitor (real 自评表) plus scripts/make_monitor_data.py's 合成数据."""

from __future__ import annotations

from components import ids

DEMO = "/monitor?year=2023&region=合成区"


def points(dash) -> int:
    return sum(len(t["x"] or []) for t in dash.figure_data(ids.MON_QUADRANT) if t["type"] == "scatter")


def alert_count(dash) -> int:
    """Every row of the 预警 list (grid_rows reads its current page only)."""
    script = "async (id) => (await window.dash_ag_grid.getApiAsync(id)).getDisplayedRowCount()"
    return dash.page.evaluate(script, ids.MON_ALERTS)


def caption(dash, graph_id: str) -> str:
    return dash.text(f"#{ids.caption(graph_id)}")


def test_the_page_shows_both_monitors_and_the_alerts(open_dashboard, monitor_server):
    dash = open_dashboard(monitor_server).goto(DEMO)
    assert points(dash) == 37  # the seed's 37 units, here synthetic
    assert caption(dash, ids.MON_QUADRANT).startswith("截至6月末，合成区预算执行率")
    rows = dash.grid_rows(ids.MON_ALERTS)
    assert rows and rows[0]["level"] == "红色预警" and rows[0]["source"].startswith("合成数据")
    assert "执行慢·目标未达" in dash.text()
    dash.assert_clean()


def test_month_region_and_thresholds_change_the_chart_and_the_list(open_dashboard, monitor_server):
    dash = open_dashboard(monitor_server).goto(DEMO)
    june = alert_count(dash)
    dash.select(ids.page_filter("monitor", "month"), "3月")
    assert caption(dash, ids.MON_QUADRANT).startswith("截至3月末")
    assert dash.query()["month"] == ["3"]
    before = alert_count(dash)
    assert before != june
    box = dash.page.locator(f"#{ids.page_filter('monitor', 'yellow')}")
    dash.act(lambda: (box.fill("40"), box.press("Enter")))
    assert dash.query()["yellow"] == ["40"]
    assert "黄色" not in " ".join(r["level"] for r in dash.grid_rows(ids.MON_ALERTS))  # 40 > red's 20: clamped
    assert alert_count(dash) != before
    dash.select(ids.page_filter("monitor", "region"), "上海市普陀区")
    dash.select(ids.page_filter("monitor", "year"), "2022年")
    assert caption(dash, ids.MON_QUADRANT).startswith("截至12月末，上海市普陀区预算执行率83.1%")
    assert any(r["project"] == "援滇对口支援及结对帮扶经费" for r in dash.grid_rows(ids.MON_ALERTS))
    dash.assert_clean()


def test_clicking_a_unit_shows_its_indicators_and_the_url_reproduces_it(open_dashboard, monitor_server):
    dash = open_dashboard(monitor_server).goto(DEMO)
    dot = dash.page.locator(f"#{ids.MON_QUADRANT} .scatterlayer .point").first
    dash.act(lambda: dot.click(force=True))
    (unit,) = dash.query()["agency"]
    table = dash.text(f"#{ids.MON_DETAIL}")
    assert unit in table and "三级指标" in table
    assert all(r["agency"] == unit for r in dash.grid_rows(ids.MON_ALERTS))
    url = dash.page.url
    again = open_dashboard(monitor_server)
    again.page.goto(url)
    again.settle()
    assert unit in again.text(f"#{ids.MON_DETAIL}") and again.filter_values(ids.page_filter("monitor", "agency")) == [
        unit
    ]
    dash.assert_clean()
    again.assert_clean()


def test_the_seed_explains_which_files_to_add(dashboard):
    dashboard.goto("/monitor")
    text = dashboard.text()
    assert "暂无绩效运行监控数据" in text and "targets.csv" in text and "execution.csv" in text
    dashboard.assert_clean()
