"""Data folders other than the seed, in a real browser: a folder with one file, a broken file beside
good ones, a file replaced while the server runs, and two viewers on several gunicorn workers.
The seed's debt: 一般债务 4.50 + 专项债务 56.21 亿元 (see test_dashboard.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from .conftest import DataFolder
from .test_dashboard import SEED_DEBT

ONLY_DEBT = DataFolder("only-debt", keep=("debt.csv",))
# The seed's grade counts (良 5, 中 3) without its list of evaluations, as 高新区（江海区）2018 publishes them.
ONLY_GRADES = DataFolder("only-grades", keep=("grades.csv", "sources.csv"))


@pytest.mark.parametrize("folder_server", [ONLY_DEBT], indirect=True, ids=str)
@pytest.mark.parametrize(
    ("path", "shown", "absent"),
    [
        ("/", ["暂无转移支付数据", "暂无绩效评价数据", "60.71 亿元"], []),
        ("/transfers", ["暂无转移支付数据"], ["transfers.csv（税收返还和转移支付）未载入"]),
        ("/debt", ["60.71 亿元", "无单列限额"], []),
        ("/performance", ["暂无绩效评价数据"], []),
    ],
    ids=["overview", "transfers", "debt", "performance"],
)
def test_a_folder_with_only_debt_serves_every_page(open_dashboard, folder_server, path, shown, absent):
    dash = open_dashboard(folder_server).goto(path)
    text = dash.text("#page")
    for expected in shown:
        assert expected in text
    for unexpected in absent:
        assert unexpected not in text
    assert not dash.texts(".data-error"), "a missing file is not an error"
    donut = {"/": "overview-debt-graph", "/debt": "debt-composition"}.get(path)
    if donut:
        assert dash.slices(donut) == SEED_DEBT
    else:
        assert dash.texts(".empty-state"), "the empty state is shown"
    dash.assert_clean()


def break_budget_on_line_3(text: str) -> str:
    lines = text.split("\n")
    cells = lines[2].split(",")  # line 3 of the file: 税收返还
    assert cells[2] == "税收返还"
    cells[4] = "一千"  # 预算数
    lines[2] = ",".join(cells)
    return "\n".join(lines)


BROKEN_TRANSFERS = DataFolder("broken-transfers", edit=(("transfers.csv", break_budget_on_line_3),))


@pytest.mark.parametrize("folder_server", [BROKEN_TRANSFERS], indirect=True, ids=str)
def test_a_broken_transfers_csv_is_named_while_debt_still_shows(open_dashboard, folder_server):
    dash = open_dashboard(folder_server).goto("/transfers")
    # The banner is its own callback, after the page's: on a loaded machine it may come after the settle.
    assert dash.poll(lambda: len(dash.texts(".data-error")), 1) == 1
    (banner,) = dash.texts(".data-error")
    assert "transfers.csv" in banner
    assert "第3行" in banner
    assert "「预算数」列" in banner
    assert "一千" in banner
    assert "暂无转移支付数据" in dash.text("#page")

    dash.goto("/debt")
    assert dash.poll(lambda: "transfers.csv" in " ".join(dash.texts(".data-error")), True)
    assert "60.71 亿元" in dash.text("#debt-kpi-balance")
    assert dash.slices("debt-composition") == SEED_DEBT
    dash.assert_clean()


HAIBOWAN = Path(__file__).parents[1] / "fixtures" / "realdocs" / "haibowan-transfers-2017" / "transfers.csv"


def with_executed_figures(text: str) -> str:
    """The seed's budget and 海勃湾区2017's 执行数 (口径 执行) in one file: the seed's rows get an empty
    口径 (预算), the fixture's rows the seed's columns."""
    head, *rows = HAIBOWAN.read_text(encoding="utf-8").strip().split("\n")
    rows = [dict(zip(head.split(","), row.split(","), strict=True)) for row in rows]
    lines = text.strip().split("\n")
    columns = lines[0].split(",")
    added = [",".join(row.get(column, "") for column in columns) + "," + row["口径"] for row in rows]
    return "\n".join([lines[0] + ",口径"] + [line + "," for line in lines[1:]] + added) + "\n"


TWO_KINDS = DataFolder("two-kinds", edit=(("transfers.csv", with_executed_figures),))


@pytest.mark.parametrize("folder_server", [TWO_KINDS], indirect=True, ids=str)
def test_the_charts_name_their_figures_as_each_views_kind_of_figure(open_dashboard, folder_server):
    """A view of 执行数 is titled and labelled 执行数, not 预算数, after a filter change too."""
    dash = open_dashboard(folder_server).goto("/transfers?year=2023&region=株洲经开区")
    legend = lambda: dash.page.eval_on_selector_all("#transfers-bars .legendtext", "ts => ts.map(t => t.textContent)")  # noqa: E731
    titles = lambda: (dash.text("#transfers-bars-title"), dash.text("#transfers-waterfall-title"))  # noqa: E731
    assert titles() == ("预算数与上年执行数", "从上年执行数到本年预算数的增减") and legend() == ["上年执行数", "预算数"]
    dash.select("transfers-region", "海勃湾区")
    dash.select("transfers-year", "2017年")
    assert titles() == ("执行数与上年执行数", "从上年执行数到本年执行数的增减") and legend() == ["上年执行数", "执行数"]
    assert "执行数（万元）" in dash.text("#transfers-table") and "预算数" not in dash.text("#transfers-table")
    assert dash.page.get_by_role("figure", name="执行数与上年执行数").count() == 1  # named by the title shown
    dash.goto("/?year=2017&region=海勃湾区")
    assert dash.text("#overview-transfers-graph-title") == "转移支付：执行数与上年执行数"
    dash.assert_clean()


CENTRAL = Path(__file__).parents[1] / "fixtures" / "realdocs" / "central-transfers-2010" / "transfers.csv"
WIDE_FIGURES = DataFolder("wide-figures", keep=("transfers.csv",), edit=(("transfers.csv", lambda _: CENTRAL.read_text()),))
LABEL_BOXES = """sel => Array.from(document.querySelectorAll(sel + ' .bartext')).map(t => {
  const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right, r.top, r.bottom]; })"""


@pytest.mark.parametrize("folder_server", [WIDE_FIGURES], indirect=True, ids=str)
def test_figures_of_several_digits_stay_apart_on_a_projector_and_main_items_raise_no_alarm(
    open_dashboard, folder_server
):
    """中央 2010 at 1024 px: each bar's label is as wide as its bar at most, and side by side they read
    as one number (「4,942.275,004.36」); its four named items of 一般性转移支付 were called 数字不一致."""
    dash = open_dashboard(folder_server)
    dash.page.set_viewport_size({"width": 1024, "height": 768})
    dash.goto("/transfers")
    boxes = dash.page.evaluate(LABEL_BOXES, "#transfers-bars")
    assert {"4,942.27", "5,004.36", "12,295.73", "13,310.91"} <= {b[0] for b in boxes}
    for a, b in itertools.combinations(boxes, 2):
        if a[3] < b[4] and b[3] < a[4]:  # on the same height: at least 2 px between them
            assert a[2] + 2 <= b[1] or b[2] + 2 <= a[1], (a, b)
    assert "未发现数字不一致" in dash.text(".findings-panel summary")
    assert dash.page.locator("#transfers-bars-title").locator("xpath=..").get_by_text("数字不一致").count() == 0
    dash.assert_clean()


LIVE = DataFolder("live")  # this test's own copy: it replaces debt.csv while the server runs


@pytest.mark.parametrize("folder_server", [LIVE], indirect=True, ids=str)
def test_a_replaced_file_is_shown_and_a_broken_replacement_keeps_the_last_good_one(open_dashboard, folder_server):
    debt_csv = folder_server.data_dir / "debt.csv"
    dash = open_dashboard(folder_server).goto("/debt")
    assert "60.71 亿元" in dash.text("#debt-kpi-balance")

    newer = debt_csv.read_text(encoding="utf-8")
    newer = newer.replace(",一般债务,无单列限额,4.50,", ",一般债务,无单列限额,5.50,")
    newer = newer.replace(",合计,无单列限额,60.71,", ",合计,无单列限额,61.71,")
    debt_csv.write_text(newer, encoding="utf-8")
    # No reload: the open page takes up the new version by itself (timed in test_trust.py).
    dash.page.locator("#debt-kpi-balance", has_text="61.71 亿元").wait_for(timeout=15_000)
    dash.settle()
    assert dash.slices("debt-composition") == {"一般债务": 5.5, "专项债务": 56.21}
    assert not dash.texts(".data-error")

    debt_csv.write_text(newer.replace(",一般债务,无单列限额,5.50,", ",一般债务,无单列限额,五点五,"), encoding="utf-8")
    dash.page.locator(".data-error").wait_for(timeout=15_000)
    dash.settle()
    (banner,) = dash.texts(".data-error")
    assert "debt.csv" in banner and "上一版" in banner
    assert "第2行" in banner and "「余额」列" in banner
    assert "61.71 亿元" in dash.text("#debt-kpi-balance")
    assert dash.slices("debt-composition") == {"一般债务": 5.5, "专项债务": 56.21}

    # Fixed while the page is open: the banner goes by itself.
    debt_csv.write_text(newer, encoding="utf-8")
    dash.page.locator(".data-error").wait_for(state="detached", timeout=15_000)
    dash.assert_clean()


# ---------------------------------------------------------------- production server


def test_two_viewers_on_several_gunicorn_workers_keep_their_own_views(open_dashboard, gunicorn_server):
    """No per-viewer state on the server: any worker answers any viewer's callback."""
    first, second = open_dashboard(gunicorn_server), open_dashboard(gunicorn_server)
    try:
        first.goto("/debt")
        second.goto("/debt?debt_type=专项债务")
        for _ in range(3):  # enough round trips to land on different workers
            first.select("debt-debt_type", "一般债务")
            second.click("#debt-clear")
            assert first.slices("debt-composition") == {"一般债务": 4.50}
            assert second.slices("debt-composition") == SEED_DEBT
            first.click("#debt-clear")
            second.select("debt-debt_type", "专项债务")
            assert first.slices("debt-composition") == SEED_DEBT
            assert second.slices("debt-composition") == {"专项债务": 56.21}
        assert second.query().get("debt_type") == ["专项债务"] and first.query().get("debt_type") is None
        first.assert_clean()
        second.assert_clean()
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("folder_server", [ONLY_GRADES], indirect=True, ids=str)
def test_a_grade_distribution_without_a_list_is_counted_from_the_grades_and_never_said_to_list_none(
    open_dashboard, folder_server
):
    dash = open_dashboard(folder_server).goto("/performance?year=2022")
    kpis = dash.text("#performance-kpi-count")
    assert "8 个（按等级加总）" in kpis and "数据文件未逐个列出评价对象" in kpis
    page = dash.text("#page")
    assert "0 个" not in page and "没有符合筛选条件" not in page  # no absence the file does not state
    assert "2022年财政重点评价8个（按等级加总）" in page
    assert dash.text("#performance-types").count("数据文件未逐个列出评价对象") == 1  # the chart says why it is empty
    assert "8 个（按等级加总）" in dash.goto("/?year=2022").text("#overview-kpi-performance")
    dash.assert_clean()
