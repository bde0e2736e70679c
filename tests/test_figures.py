"""Figures as printed: exact decimals, 四舍五入, units converted exactly, provenance kept."""

from decimal import Decimal

import pytest

from components import theme
from components.figures import COMPUTED, MISSING, Figure, exact, stated_or_computed, total


@pytest.mark.parametrize(
    "text,unit,shown",
    [
        ("1.775", "亿元", "1.775亿元"),
        ("4.50", "亿元", "4.50亿元"),
        ("11.6131", "亿元", "11.6131亿元"),
        ("1722", "万元", "1722万元"),
        ("-59.15", "%", "-59.15%"),
        ("0", "亿元", "0亿元"),
        ("-0.00", "亿元", "0.00亿元"),
    ],
)
def test_a_printed_figure_is_shown_as_printed(text, unit, shown):
    assert Figure.printed(text, unit).text() == shown


@pytest.mark.parametrize(
    "value,decimals,shown",
    [("1.775", 2, "1.78"), ("5.295", 2, "5.30"), ("2.5", 0, "3"), ("-2.5", 0, "-3"), ("0.125", 2, "0.13")],
)
def test_rounding_is_half_up_on_the_exact_decimal(value, decimals, shown):
    assert Figure(exact(value), "亿元", decimals).text(with_unit=False) == shown


def test_floats_round_half_up_by_their_shortest_text():
    import numpy as np

    assert theme.fmt_number(np.float64(1.775), 2, trim=False) == "1.78"
    assert Figure(exact(1.775), "亿元", 2).text() == "1.78亿元"  # format(1.775, '.2f') gives 1.77
    assert theme.fmt_number(1.775, 2, trim=False) == "1.78" and theme.fmt_number(5.295, 2, trim=False) == "5.30"
    assert theme.fmt_amount(17750, "亿元") == "1.78 亿元"  # 17750 万元


def test_units_convert_exactly_and_the_precision_follows():
    assert Figure.printed("1722", "万元").to("亿元").text() == "0.1722亿元"
    assert Figure.printed("4.50", "亿元").to("万元").text() == "45000万元"
    assert Figure.printed("60.71", "亿元").to("元").text(thousands=True) == "6,071,000,000元"
    assert Figure.printed("0.32", "亿元").to("万元").to("亿元").text() == "0.32亿元"


def test_a_stated_total_is_shown_as_printed_and_a_missing_one_is_computed_only_from_stated_parts():
    parts = [Figure.printed("15.67", "亿元", 3), Figure.printed("29.73", "亿元", 4)]
    printed = Figure.printed("45.39", "亿元", 2)
    assert stated_or_computed(printed, parts, "亿元").text() == "45.39亿元"
    computed = stated_or_computed(Figure.missing("亿元"), parts, "亿元")
    assert computed.text() == "45.40亿元" and computed.source == "computed" and computed.lines == (3, 4)
    assert printed.within(computed)  # rounding explains the gap: no finding
    assert not Figure.printed("45.42", "亿元").within(computed)
    assert total([parts[0], Figure.missing("亿元")], "亿元").text() == MISSING
    assert COMPUTED == "按分项计算"


def test_within_allows_each_figure_its_own_rounding():
    assert Figure.printed("-0.41", "亿元").within(Figure(Decimal("-0.40"), "亿元", 2, "computed"))
    assert Figure.printed("-5.9", "%").within(Figure(Decimal("-5.76"), "%", 2, "computed")) is False
    assert Figure.printed("60.71", "亿元").within(Figure.printed("607100", "万元"))


def test_count_axes_have_whole_number_ticks_only():
    import pandas as pd

    from components import charts, performance
    from components.sections.performance import Grade, Method, PerformanceModel

    def grade(name, n):
        return Grade(name, Figure.printed(str(n), "个"), Figure.missing("%"), Figure.missing("万元"))

    method = Method("财政重点评价", (grade("良", 5), grade("中", 3)), "grades.csv", 0, (), Figure.missing("万元"))
    axis = performance.fig_grades(PerformanceModel(2022, "A", "万元", (method,))).layout.xaxis
    assert axis.tickformat == ",d" and axis.tick0 == 0 and axis.dtick == 2  # 0 2 4 6 8, never 0 1 1 2 2 3 3
    frame = pd.DataFrame({"x": ["部门整体支出", "项目支出"], "s": ["良", "良"], "n": [1, 2]})
    assert charts.stacked_bars(frame, "x", "s", "n", None, y_title="评价数").layout.yaxis.dtick == 1


# ---------------------------------------------------------------- chart labels as printed


def _bars(*texts, unit="亿元"):
    from components import charts

    values = [Figure.printed(t, unit) if t else Figure.missing(unit) for t in texts]
    return charts.grouped_bars([f"x{i}" for i in range(len(texts))], [("s", values, ["#000000"] * len(texts), "")], unit)


def test_bar_labels_and_hover_show_each_figure_as_printed():
    bar = _bars("1.775", "11.6131", "0", "4.50", "1722.5").data[0]
    assert list(bar.text) == ["1.775", "11.6131", "0", "4.50", "1,722.5"]  # never 1.78, 11.61, 0.00, 4.5
    assert [c[0] for c in bar.customdata] == ["1.775 亿元", "11.6131 亿元", "0 亿元", "4.50 亿元", "1,722.5 亿元"]
    assert list(bar.y) == pytest.approx([1.775, 11.6131, 0, 4.5, 1722.5])


def test_a_figure_not_stated_has_no_label_and_is_never_drawn_as_zero():
    fig = _bars("", "2")
    bar = fig.data[0]
    assert bar.y[0] is None and bar.text[0] == "" and bar.customdata[0][0] == MISSING
    assert [a.text for a in fig.layout.annotations] == [MISSING]


def test_another_display_unit_converts_exactly_and_rounds_half_up():
    from components import charts

    wan = [Figure.printed("4.50", "亿元"), Figure.printed("1.775", "亿元"), Figure.printed("0.32", "亿元")]
    bar = charts.grouped_bars(["a", "b", "c"], [("s", wan, ["#000000"] * 3, "")], "万元").data[0]
    assert list(bar.text) == ["45,000", "17,750", "3,200"] and bar.customdata[0][0] == "45,000 万元"
    yi = [Figure.printed("1722", "万元"), Figure.printed("17750", "万元"), Figure.printed("5295", "万元")]
    bar = charts.grouped_bars(["a", "b", "c"], [("s", yi, ["#000000"] * 3, "")], "亿元").data[0]
    assert list(bar.text) == ["0.17", "1.78", "0.53"]  # 四舍五入 on the exact decimal: 1.775 → 1.78
    with pytest.raises(TypeError):  # a float has lost its printed precision: charts take Figures
        charts.grouped_bars(["a"], [("s", [1.775], ["#000000"], "")], "亿元")


def test_a_small_figure_in_a_larger_unit_is_never_shown_as_zero():
    # 27 万元 in 亿元 rounds to 0.00 at the unit's usual two decimals: shown exactly instead.
    small = [Figure.printed("27", "万元"), Figure.printed("0", "万元"), Figure.printed("50", "万元")]
    bar = charts_bars(small, "亿元")
    assert list(bar.text) == ["0.0027", "0.00", "0.01"]  # 0.005 → 0.01, 四舍五入; a printed 0 is 0.00
    assert bar.customdata[0][0] == "0.0027 亿元"
    assert theme.shown_in(Figure.printed("27", "万元"), "亿元").text() == "0.0027亿元"


def charts_bars(figures, unit):
    from components import charts

    return charts.grouped_bars([str(i) for i in range(len(figures))], [("s", figures, ["#000000"] * len(figures), "")], unit).data[0]


def test_donut_and_stacked_bars_show_figures_as_printed():
    import pandas as pd

    from components import charts

    parts = [Figure.printed("11.6131", "亿元"), Figure.printed("0", "亿元"), Figure.missing("亿元")]
    pie = charts.donut(["一般债务", "专项债务", "其他"], parts, "亿元", "合计")
    assert list(pie.data[0].customdata) == ["11.6131 亿元", "0 亿元"] and "其他：未公布" in pie.layout.annotations[0].text
    frame = pd.DataFrame(
        {"x": [2021, 2022, 2022], "s": ["一般债务", "一般债务", "专项债务"], "v": pd.Series(parts, dtype=object)}
    )
    fig = charts.stacked_bars(frame, "x", "s", "v", "亿元", x_order=[2021, 2022])
    assert [c[0] for c in fig.data[0].customdata] == ["11.6131 亿元", "0 亿元"]
    assert fig.data[1].customdata[1][0] == MISSING and fig.data[1].y[1] is None
    assert "专项债务未公布" in fig.layout.xaxis.ticktext[1]


def test_the_pages_charts_label_the_documents_figures(tmp_path):
    from pathlib import Path

    from components import debt, transfers
    from components.data import load_folder
    from components.sections import debt as debt_model
    from components.sections import transfers as transfers_model

    seed = load_folder(Path(__file__).parents[1] / "data")
    flows = debt.fig_flows(debt_model.model(seed, 2022, "株洲经开区"))
    assert {t.name: list(t.text) for t in flows.data} == {
        "一般债务": ["0", "", "0", "0"],  # printed zeros are 0, not 0.00; 再融资债券 is not stated
        "专项债务": ["5.44", "", "0", "0.32"],
    }
    yongchun = load_folder(Path(__file__).parent / "fixtures" / "realdocs" / "yongchun-debt-2022")
    assert list(debt.fig_flows(debt_model.model(yongchun, 2022, "永春县")).data[0].text)[0] == "1.8095"
    (tmp_path / "transfers.csv").write_text(
        "年度,地区,类别,预算数,上年执行数,增减额,单位\n"
        "2022,A,税收返还,1.775,1.5,0.275,亿元\n2023,A,税收返还,11.6131,1.775,9.8381,亿元\n"
        "2023,A,合计,11.6131,1.775,9.8381,亿元\n"  # a file of 税收返还 alone states no whole: its 合计 does
        "2023,B,税收返还,4.50,,,亿元\n",
        encoding="utf-8",
    )
    data = load_folder(tmp_path)
    cats = transfers_model.chart_frame(transfers_model.model(data, 2023, "A"))
    bars = transfers.fig_budget_vs_prior(cats, "亿元")
    assert [list(t.text) for t in bars.data] == [["1.775"], ["11.6131"]]
    assert list(transfers.fig_waterfall(cats, "亿元").data[0].text) == ["1.775", "+9.8381", "11.6131"]
    trend = transfers.fig_trend(data.frame("transfers"), "A", None, "亿元")
    assert [c[0] for c in trend.data[0].customdata] == ["1.775 亿元", "11.6131 亿元"]
    compare = transfers.fig_region_compare(data.frame("transfers"), 2023, None, "万元")
    assert [c[0] for c in compare.data[0].customdata] == ["116,131 万元", "45,000 万元"]
