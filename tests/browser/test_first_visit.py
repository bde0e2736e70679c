"""A first visit loads only the script its page needs: AG Grid with the grid, plotly.js from assets/."""

from __future__ import annotations

import pytest

LOADED = "() => performance.getEntriesByType('resource').map(e => e.name)"
PERF_GRID = "performance-grid"


@pytest.mark.parametrize("path", ["/", "/transfers", "/debt"])
def test_a_page_without_a_grid_loads_no_grid_script(open_dashboard, seed_server, path):
    tab = open_dashboard(seed_server).goto(path)
    loaded = tab.page.evaluate(LOADED)
    assert not [u for u in loaded if "dash_ag_grid" in u or "async-community" in u]
    assert tab.page.evaluate("typeof window.dash_ag_grid") == "undefined"
    # plotly.js is the partial bundle of assets/, never Dash's own full one as well
    assert [u for u in loaded if "/assets/plotly-finance-4.1.1.min.js" in u]
    assert not [u for u in loaded if "package_data/plotly" in u]
    assert tab.page.locator(".js-plotly-plot g.trace").count() > 0
    tab.assert_clean()


@pytest.mark.parametrize("path", ["/", "/transfers", "/debt", "/performance"])
def test_no_page_loads_dash_table_which_none_draws_nor_the_old_browsers_polyfill(open_dashboard, seed_server, path):
    tab = open_dashboard(seed_server).goto(path)
    tab.settle()
    loaded = tab.page.evaluate(LOADED)
    assert not [u for u in loaded if "dash_table" in u]
    assert not [u for u in loaded if "polyfill@" in u]  # nomodule: only for browsers without ES modules
    # the one global of the polyfill that Dash's renderer calls (when it loads a chunk later)
    assert tab.page.evaluate("typeof window.regeneratorRuntime") == "object"
    assert tab.page.locator(".js-plotly-plot g.trace").count() > 0
    tab.assert_clean()


def test_the_grid_comes_with_its_page_and_again_after_another_page(open_dashboard, seed_server):
    tab = open_dashboard(seed_server).goto("/")
    assert tab.page.evaluate("typeof window.dash_ag_grid") == "undefined"
    tab.click(".navbar a[href^='/performance']")
    tab.page.wait_for_selector(f"#{PERF_GRID} .ag-row")
    assert tab.rendered_grid_rows(PERF_GRID) > 0
    for path in ("/transfers", "/performance"):
        tab.click(f".navbar a[href^='{path}']")
    tab.page.wait_for_selector(f"#{PERF_GRID} .ag-row")
    assert tab.rendered_grid_rows(PERF_GRID) > 0
    assert len(tab.grid_rows(PERF_GRID)) > 0
    tab.assert_clean()


def test_a_first_visit_arrives_drawn_and_back_still_restores_it(open_dashboard, seed_server):
    """The page's HTML holds the drawn page (components/boot.py): no layout, dependencies or page
    request before the first chart; the route asks the server again for anything else, Back too."""
    tab = open_dashboard(seed_server)
    asked: list[str] = []

    def record(request):
        if "/_dash-" in request.url and "component-suites" not in request.url:
            body = request.post_data or ""
            asked.append(request.url.rsplit("/", 1)[-1].split("?")[0] + " " + body[:120])

    tab.page.on("request", record)
    tab.goto("/transfers?unit=%E4%BA%BF%E5%85%83")
    tab.settle()
    assert not [a for a in asked if a.startswith(("_dash-layout", "_dash-dependencies")) or "page.children" in a]
    switch = tab.page.locator("#transfers-unit")
    assert switch.get_by_label("亿元", exact=True).is_checked()
    assert "亿元" in tab.page.locator("#transfers-bars .ytitle").text_content()
    tab.pick_unit("transfers", "万元")
    assert "unit" not in tab.query()  # 万元 is the section's own unit
    assert "万元" in tab.page.locator("#transfers-bars .ytitle").text_content()
    tab.act(tab.page.go_back)
    tab.poll(lambda: tab.page.locator("#transfers-bars .ytitle").text_content(), "金额（亿元）")
    assert switch.get_by_label("亿元", exact=True).is_checked()
    tab.click(".navbar a[href^='/debt']")
    tab.page.wait_for_selector("#debt-composition .js-plotly-plot g.trace, .js-plotly-plot g.trace")
    assert tab.path() == "/debt"
    assert [a for a in asked if "page.children" in a]  # another page is asked for as before
    tab.assert_clean()
