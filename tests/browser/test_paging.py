"""The evaluations list at scale: the browser receives one page of rows, and paging and
sorting are answered by the server (synthetic data: 45 evaluations per county and year)."""

from __future__ import annotations

import json

import pytest

from scripts import make_scale_data

from .conftest import running_server

pytestmark = pytest.mark.browser
GRID = "performance-grid"


@pytest.fixture(scope="module")
def synthetic_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic-data")
    make_scale_data.write(folder, make_scale_data.Scale(regions=2, years=2, evaluations=45))
    with running_server(folder, tmp_path_factory.mktemp("synthetic-log")) as base:
        yield base


def grid_answers(responses) -> list[dict]:
    """The getRowsResponse of every callback answer the page received."""
    out = []
    for response in responses:
        body = json.loads(response.body() or b"{}")
        answer = body.get("response", {}).get(GRID, {}).get("getRowsResponse")
        if answer:
            out.append(answer)
    return out


def test_arriving_at_the_list_asks_for_its_first_page_once(open_dashboard, synthetic_server):
    dash = open_dashboard(synthetic_server)
    asked = []

    def grid_request(request):
        if "/_dash-update-component" in request.url and f"{GRID}.getRowsResponse" in (request.post_data or ""):
            asked.append(json.loads(request.post_data)["changedPropIds"])

    dash.page.on("request", grid_request)
    dash.goto("/performance")
    first = [f"合成项目{i:05d}" for i in range(20)]
    assert dash.poll(lambda: [r["target"] for r in dash.grid_rows(GRID)], first) == first
    dash.settle()
    assert asked == [[f"{GRID}.getRowsRequest"]]  # the grid's own request, not also Dash's initial call
    dash.assert_clean()


def test_the_list_receives_one_page_and_pages_and_sorts_on_the_server(open_dashboard, synthetic_server):
    dash = open_dashboard(synthetic_server)
    responses = []
    dash.page.on("response", lambda r: responses.append(r) if "/_dash-update-component" in r.url else None)
    dash.goto("/performance")
    first = [f"合成项目{i:05d}" for i in range(20)]
    assert dash.poll(lambda: [r["target"] for r in dash.grid_rows(GRID)], first) == first
    answers = grid_answers(responses)
    assert answers and all(len(a["rowData"]) <= 20 and a["rowCount"] == 45 for a in answers)
    assert "45" in dash.text(f"#{GRID} .ag-paging-panel")

    dash.click(f"#{GRID} [data-ref='btNext']")
    second = [f"合成项目{i:05d}" for i in range(20, 40)]
    assert dash.poll(lambda: [r["target"] for r in dash.grid_rows(GRID)], second) == second

    dash.click(f"#{GRID} .ag-header-cell[col-id='score'] .ag-header-cell-label")
    scores = dash.poll(lambda: [r["score"] for r in dash.grid_rows(GRID)][:1], [None])
    shown = [r["score"] for r in dash.grid_rows(GRID)]
    assert scores == [None]  # ascending: unpublished scores first, as the grid itself sorts
    stated = [s for s in shown if s is not None]
    assert stated == sorted(stated)
    assert len(grid_answers(responses)[-1]["rowData"]) <= 20
    dash.assert_clean()
