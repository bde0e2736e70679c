"""Filters, figure builders and page views on the seed data: the numbers drawn equal the data's."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from dash import dcc

from components import debt, filters, overview, performance, transfers
from components.data import load_folder
from components.routing import digest
from components.sections import debt as debt_model
from components.sections import transfers as transfers_model
from components.state import ViewState, from_url, parse_query
from components.theme import AS_PRINTED, fmt_amount, fmt_pct
from tests.helpers import find_id

DATA = Path(__file__).resolve().parents[1] / "data"
REGION = "株洲经开区"


@pytest.fixture(scope="module")
def seed():
    return load_folder(DATA)


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def texts(component) -> str:
    """All text inside a Dash component tree."""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(texts(c) for c in component)
    children = getattr(component, "children", None)
    return texts(children) if children is not None else ""


# ---------------------------------------------------------------- filters


def test_query_round_trip_keeps_repeated_values():
    state = ViewState.of("transfers", 2023, REGION, category=["税收返还", "专项转移支付"])
    parsed = parse_query("?" + state.query())
    assert parsed == {"year": ["2023"], "region": [REGION], "category": ["税收返还", "专项转移支付"]}
    again, notices = from_url(state.query(), "transfers", [2023], [REGION], {"category": ["税收返还", "专项转移支付"]})
    assert again == state and notices == ()
    assert hash(again) == hash(state)  # one key for the view cache, however the URL spelled it


def test_a_view_state_keeps_only_its_pages_filters_and_a_known_unit():
    state = ViewState.of("debt", 2022, REGION, "美元", debt_type=None, category=["税收返还"])
    assert state.picks == (("debt_type", ()),) and state.unit is None
    assert "unit" not in parse_query(ViewState.of("debt", 2022, REGION, "万元").query("万元"))  # the printed unit
    assert parse_query(ViewState.of("debt", 2022, REGION, "亿元").query("万元"))["unit"] == ["亿元"]


def test_resolve_falls_back_with_a_notice_and_never_blank():
    state, notices = from_url({"year": ["2030"], "region": ["石峰区"]}, "transfers", [2023, 2022], [REGION])
    assert (state.year, state.region) == (2023, REGION)
    assert len(notices) == 2
    earlier, _ = from_url({"year": ["2022"]}, "debt", [2023, 2021], [REGION], {"debt_type": ["专项债务"]})
    assert earlier.year == 2021
    default, notices = from_url({}, "debt", [2023, 2022], ["B", "A"])
    assert (default.year, default.region, notices) == (2023, "B", ())


def test_resolve_drops_filter_values_the_data_lacks():
    state, notices = from_url(
        {"debt_type": ["专项债务", "隐性"]}, "debt", [2022], [REGION], {"debt_type": ["专项债务"]}
    )
    assert state.get("debt_type") == ("专项债务",) and "隐性" in notices[0]


def test_keep_with_nothing_selected_keeps_everything(seed):
    frame = seed.frame("evaluations")
    assert len(filters.keep(frame, "target_type", [])) == 8
    assert len(filters.keep(frame, "target_type", ["项目支出"])) == 5


def test_latest_up_to():
    assert filters.latest_up_to([2021, 2022], 2023) == 2022
    assert filters.latest_up_to([2024], 2023) == 2024
    assert filters.latest_up_to([], 2023) is None


# ---------------------------------------------------------------- formatting


def test_money_formats_and_missing_is_never_zero():
    assert fmt_amount(1722, "万元") == "1,722 万元"
    assert fmt_amount(45000, "亿元") == "4.50 亿元"
    assert fmt_amount(34832.52, "万元") == "34,832.52 万元"
    assert fmt_amount(math.nan, "万元") == "未公布"
    assert fmt_pct(-59.146, signed=True) == "-59.15%"


# ---------------------------------------------------------------- transfers


def test_transfer_categories_and_totals_from_parts(seed):
    m = transfers_model.model(seed, 2023, REGION)
    cats = transfers_model.chart_frame(m)
    assert list(cats["category"]) == ["税收返还", "一般性转移支付", "专项转移支付"]
    t = m.total
    assert (t.budget.value, t.prior.value, t.change.value) == (1722, 12396, -10674)
    assert float(m.ratio.value) == pytest.approx(13.89, abs=0.005)
    general = cats.set_index("category").loc["一般性转移支付"]
    assert general["change_pct"] == pytest.approx(-59.15, abs=0.005)
    assert [i.item for i in m.items] == ["其他一般性转移支付收入"]


def test_a_stated_total_is_checked_not_added(seed):
    m = transfers_model.model(seed, 2023, REGION)
    assert m.total.budget.value == 1722  # not 3444
    note = m.check
    assert "预算数合计 1,722 万元，与分项加总一致" in note
    assert "上年执行数合计" not in note  # not printed: computed (1722 + 10674), never checked as if printed
    assert m.total.prior.text() == "12396万元" and m.total.prior.how == "计算值"


def test_a_missing_part_makes_the_total_missing_not_smaller(tmp_path):
    (tmp_path / "transfers.csv").write_text(
        "年度,地区,类别,预算数,上年执行数\n2023,A,税收返还,-,5\n2023,A,专项转移支付,10,—\n", encoding="utf-8"
    )
    m = transfers_model.model(load_folder(tmp_path), 2023, "A")
    cats = transfers_model.chart_frame(m)
    assert not m.total.budget.stated and not m.total.prior.stated
    fig = transfers.fig_budget_vs_prior(cats)
    assert trace(fig, "预算数").y[0] is None  # not drawn as 0
    assert any(a.text == "未公布" for a in fig.layout.annotations)
    assert "未公布" in transfers.fig_waterfall(cats).layout.annotations[0].text


def test_budget_vs_prior_figure_matches_the_seed(seed):
    cats = transfers_model.chart_frame(transfers_model.model(seed, 2023, REGION))
    fig = transfers.fig_budget_vs_prior(cats)
    assert list(trace(fig, "预算数").y) == [0, 1722, 0]
    assert list(trace(fig, "上年执行数").y) == [3330, 4215, 4851]
    assert "万元" in fig.layout.yaxis.title.text
    assert (
        trace(fig, "预算数").marker.color[1] == trace(fig, "上年执行数").marker.line.color[1]
    )  # one colour per category


def test_waterfall_steps_from_prior_total_to_budget(seed):
    cats = transfers_model.chart_frame(transfers_model.model(seed, 2023, REGION))
    bar = transfers.fig_waterfall(cats).data[0]
    assert list(bar.x) == ["上年执行数", "税收返还", "一般性转移支付", "专项转移支付", "本年预算数"]
    assert list(bar.y) == [12396, -3330, -2493, -4851, 1722]
    assert bar.base[-2] + bar.y[-2] == 1722


def test_category_filter_narrows_every_output(seed):
    out = transfers.view(seed, ViewState.of("transfers", 2023, REGION, category=["一般性转移支付"]))
    kpis, bars, waterfall, table, query = (out[k] for k in ("kpis", "bars", "waterfall", "table", "query"))
    assert list(bars.data[0].x) == ["一般性转移支付"]
    assert "1,722 万元" in texts(kpis) and "-2,493 万元" in texts(kpis)
    assert "专项转移支付" not in texts(table)
    assert "category=" in query


# ---------------------------------------------------------------- debt


def test_the_printed_total_balance_is_shown_and_the_types_drawn(seed):
    m = debt_model.model(seed, 2022, REGION)
    assert m.totals["balance"].text() == "60.71亿元" and m.totals["balance"].source == "printed"
    assert (m.term.text(), m.rate.text()) == ("16年", "3.21%")
    fig = debt.fig_composition(m)
    assert list(fig.data[0].labels) == ["一般债务", "专项债务"]
    assert list(fig.data[0].values) == pytest.approx([4.50, 56.21])
    assert "60.71 亿元" in fig.layout.annotations[0].text


def test_no_limit_is_said_not_drawn_as_zero(seed):
    out = debt.view(seed, ViewState.of("debt", 2022, REGION))
    kpis, limit_panel, flows = out["kpis"], out["limit"], out["flows"]
    assert "无单列限额" in texts(kpis) and "市本级" in texts(limit_panel)
    assert "限额" not in {t.name for t in flows.data}
    refinancing = [t.y[1] for t in flows.data]  # 再融资债券 is not stated
    assert refinancing == [None, None]


def test_debt_type_filter(seed):
    out = debt.view(seed, ViewState.of("debt", 2022, REGION, debt_type=["专项债务"]))
    kpis, fig, flows, query = out["kpis"], out["composition"], out["flows"], out["query"]
    assert list(fig.data[0].values) == pytest.approx([56.21])
    assert "56.21 亿元" in texts(kpis) and "4.50" not in texts(kpis)
    assert [t.name for t in flows.data] == ["专项债务"]
    assert "debt_type=" in query


def test_weighted_bond_terms_when_no_total_row_states_them(tmp_path):
    (tmp_path / "debt.csv").write_text(
        "年度,地区,债务类型,新增债券,平均期限,平均利率\n2022,A,一般债务,1,10,3\n2022,A,专项债务,3,20,4\n",
        encoding="utf-8",
    )
    m = debt_model.model(load_folder(tmp_path), 2022, "A")
    assert (float(m.term.value), float(m.rate.value)) == pytest.approx((17.5, 3.75))
    assert m.term.source == m.rate.source == "computed" and "（加权）" in debt.terms_text(m)


def test_limit_chart_when_a_limit_exists(tmp_path):
    (tmp_path / "debt.csv").write_text("年度,地区,债务类型,限额,余额\n2024,石峰区,一般债务,10,8\n", encoding="utf-8")
    fig = debt.fig_limit(debt_model.model(load_folder(tmp_path), 2024, "石峰区", unit="亿元"))
    assert [(t.name, list(t.y)) for t in fig.data] == [("限额", [0.001]), ("余额", [0.0008])]  # 亿元


# ---------------------------------------------------------------- performance


def test_grade_counts_come_from_grades_csv_when_no_evaluation_is_graded(seed):
    m = performance.model(seed, 2022, REGION)
    assert m.listed == 8
    (method,) = m.methods
    assert method.source_file == "grades.csv"
    assert {g.grade: int(g.count.value) for g in method.grades} == {"良": 5, "中": 3}
    assert m.summary() == "良 5 个 · 中 3 个"
    fig = performance.fig_grades(m)
    assert {t.name: list(t.x) for t in fig.data} == {"良": [5], "中": [3]}


def test_graded_evaluations_are_counted_instead(tmp_path):
    (tmp_path / "evaluations.csv").write_text(
        "年度,地区,评价方式,对象类型,评价对象,等级,涉及金额\n2022,A,m,项目支出,x,优秀,10\n2022,A,m,项目支出,y,优,5\n2022,A,m,政策,z,差,1\n",
        encoding="utf-8",
    )
    dataset = load_folder(tmp_path)
    listed = performance.listed_rows(dataset, 2022, "A", None, None, ["优"])
    assert list(listed["target"]) == ["x", "y"]
    m = performance.model(dataset, 2022, "A", grades_selected=["优"])
    (method,) = m.methods
    assert {g.grade: int(g.count.value) for g in method.grades} == {"优": 2, "差": 1}
    best = method.grades[0]
    assert best.amount.value == 15 and best.amount.source == "computed"


def grid(dataset, *filters, request=None) -> dict:
    """The evaluations list as the grid receives it, one page at a time."""
    return performance.grid_page(dataset, *filters, request or {"startRow": 0, "endRow": 20})


def test_grade_filter_on_ungraded_evaluations_explains_instead_of_inventing(seed):
    out = performance.view(seed, ViewState.of("performance", 2022, REGION, grade=["良"]))
    assert grid(seed, 2022, REGION, None, None, ["良"]) == {"rowData": [], "rowCount": 0}
    assert "未公布每个评价对象的等级" in texts(out["grid_note"])


def test_target_type_filter(seed):
    out = performance.view(seed, ViewState.of("performance", 2022, REGION, target_type=["项目支出"]))
    rows = grid(seed, 2022, REGION, None, ["项目支出"], None)["rowData"]
    assert len(rows) == 5 and all(r["target_type"] == "项目支出" for r in rows)
    assert "target_type=" in out["query"]


def test_missing_amounts_are_shown_as_unpublished(seed):
    rows = grid(seed, 2022, REGION, None, None, None)["rowData"]
    assert rows[0]["amount"] is None and rows[0]["grade"] == ""


# ---------------------------------------------------------------- overview


def test_overview_shows_each_section_for_its_own_latest_year(seed):
    out = overview.view(seed, ViewState.of("overview", 2023, REGION))
    cards, t_fig, d_fig, p_fig, query = (out[k] for k in ("cards", "transfers", "debt", "grades", "query"))
    text = texts(cards)
    for expected in (
        "2023年转移支付预算",
        "1,722 万元",
        "2022年末政府债务余额",
        "60.71 亿元",
        "一般债务 4.50 亿元",
        "平均期限 16 年 · 平均利率 3.21%",
        "良 5 个 · 中 3 个",
        "37 家",
        "100%",
        "无单列限额",
    ):
        assert expected in text
    assert query == ViewState.of("overview", 2023, REGION).query()


def test_empty_folder_gives_empty_states_everywhere(tmp_path):
    dataset = load_folder(tmp_path)
    for module in (overview, transfers, debt, performance):
        assert "暂无" in texts(module.layout(dataset, "")) or "没有可显示" in texts(module.layout(dataset, ""))


# ---------------------------------------------------------------- several regions and years

MULTI = Path(__file__).resolve().parent / "fixtures" / "multi"


@pytest.fixture(scope="module")
def multi():
    return load_folder(MULTI)


def graph_in(component):
    """The first dcc.Graph inside a layout component."""
    if isinstance(component, dcc.Graph):
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str) and (found := graph_in(child)) is not None:
            return found
    return None


def test_several_regions_and_years_add_comparison_and_trend(multi):
    out = transfers.view(multi, ViewState.of("transfers", 2023, "示例区甲"))
    assert out["compare_slot"] == out["trend_slot"] == "chart-slot"
    assert out["compare_title"] == "2023年各地区预算数对比" and out["trend_title"] == "示例区甲历年预算数"
    assert out["compare"].layout.meta.filename == "转移支付_地区对比_2023"  # the PNG's name (chart-image.js)
    compare = out["compare"]
    assert list(trace(compare, "一般性转移支付").y) == [3100, 2000]
    assert "专项转移支付未公布" in compare.layout.xaxis.ticktext[1]  # 示例区乙's budget is not stated
    assert list(out["trend"].data[0].x) == ["2022", "2023"]


def test_a_region_change_leaves_the_comparison_as_it_was_drawn(multi):
    """Only outputs whose value changed are sent and redrawn (routing.register_view): the comparison
    of all regions in a year is the same whichever region is chosen."""
    a = transfers.view(multi, ViewState.of("transfers", 2023, "示例区甲"))
    b = transfers.view(multi, ViewState.of("transfers", 2023, "示例区乙"))
    assert digest(a["compare"]) == digest(b["compare"]) and digest(a["trend"]) != digest(b["trend"])


def test_one_region_one_year_has_no_comparison(seed):
    out = transfers.view(seed, ViewState.of("transfers", 2023, REGION))
    assert out["compare_slot"] == out["trend_slot"] == "chart-slot chart-slot-empty" and out["compare"]["data"] == []


def test_gbk_debt_with_limits_and_trend(multi):
    out = debt.view(multi, ViewState.of("debt", 2023, "示例区甲"))
    kpis, limit_panel = out["kpis"], out["limit"]
    text = texts(kpis)
    assert "37.00 亿元" in text and "44.00 亿元" in text and "余额占限额 84.09%（计算值）" in text
    assert limit_panel[0].id == "debt-limit-graph"
    assert [list(t.y) for t in out["trend"].data] == [[8.0, 9.0], [25.0, 28.0]]


def test_performance_counts_from_graded_evaluations_per_region(multi):
    listed = performance.listed_rows(multi, 2023, "示例区甲", ["财政重点评价"], None, None)
    assert list(listed["target"]) == ["道路养护", "污水处理", "区教育局"]
    assert performance.model(multi, 2023, "示例区甲", ["财政重点评价"]).summary() == "优 1 个 · 良 1 个 · 中 1 个"
    region_figure = performance.fig_region_compare(multi, 2023, None)
    # 示例区甲 has two methods: one bar each, never added together
    assert list(region_figure.data[0].x) == ["示例区甲 财政重点评价", "示例区甲 部门评价", "示例区乙"]
    assert {t.name: list(t.y) for t in region_figure.data}["差"] == [None, None, 1]


def test_hover_answers_why_a_category_fell(seed):
    cats = transfers_model.chart_frame(transfers_model.model(seed, 2023, REGION))
    budget = trace(transfers.fig_budget_vs_prior(cats), "预算数")
    general = budget.customdata[1]
    assert general[0] == "1,722 万元"
    assert "-2,493 万元（-59.15%）" in general[1] and "社会事务职能移交" in general[1].replace("<br>", "")
    waterfall = transfers.fig_waterfall(cats).data[0]
    assert "社会事务职能移交" in waterfall.customdata[2][1].replace("<br>", "")


def test_text_from_csv_cannot_become_plotly_markup(tmp_path):
    (tmp_path / "transfers.csv").write_text(
        '年度,地区,类别,预算数,上年执行数,说明\n2023,A,<b>新类别</b>,1,2,"<a href=""javascript:alert(1)"">点</a>"\n',
        encoding="utf-8",
    )
    cats = transfers_model.chart_frame(transfers_model.model(load_folder(tmp_path), 2023, "A"))
    fig = transfers.fig_budget_vs_prior(cats)
    shown = " ".join([*map(str, fig.data[0].x), *(d for _, d in fig.data[0].customdata)])
    assert "<b>" not in shown and "<a" not in shown and "＜b＞新类别" in shown


def test_overview_never_shows_a_later_year_than_selected(seed):
    out = overview.view(seed, ViewState.of("overview", 2022, REGION))
    cards, t_fig = out["cards"], out["transfers"]
    text = texts(cards)
    assert "2023年" not in text and "2022年及以前暂无转移支付数据" in text
    assert "2022年末政府债务余额" in text
    assert t_fig.data == ()


def test_type_chart_keeps_every_type_and_dots_the_unselected(seed):
    fig = performance.view(seed, ViewState.of("performance", 2022, REGION, target_type=["部门整体支出"]))["types"]
    bar = fig.data[0]
    assert list(bar.x) == ["部门整体支出", "项目支出"] and list(bar.y) == [3, 5]
    # Left out, 项目支出 keeps its colour (3:1 on white, see tests/test_palette.py), outlined and dotted.
    assert list(bar.marker.pattern.shape) == ["", "."] and bar.marker.color[1] == bar.marker.color[0]


def test_choosing_a_published_grade_counts_it_without_naming_anyone(seed):
    out = performance.view(seed, ViewState.of("performance", 2022, REGION, grade=["良"]))
    assert "等级为良的评价" in texts(out["kpis"]) and "5 个" in texts(out["kpis"])
    assert out["types"].layout.annotations[0].text == "文件未公布每个评价对象的等级"


def test_the_overviews_unit_switch_says_each_section_is_in_its_own_printed_unit(seed):
    switch = find_id(overview.layout(seed, ""), "overview-unit")
    assert switch.value == AS_PRINTED and switch.options[0]["label"] == "各按原文单位"
    out = overview.view(seed, ViewState.of("overview", 2023, REGION, AS_PRINTED))
    text = texts(out["cards"])
    assert "1,722 万元" in text and "60.71 亿元" in text and "unit" not in parse_query(out["query"])
    # A section page has one printed unit: it is the one checked, and there is no such option.
    debt_switch = find_id(debt.layout(seed, ""), "debt-unit")
    assert debt_switch.value == "亿元" and AS_PRINTED not in [o["value"] for o in debt_switch.options]
