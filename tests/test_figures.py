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
