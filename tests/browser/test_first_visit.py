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
