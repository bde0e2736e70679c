"""A chart's 数据表 says what the chart says: each mark's figure as its hover shows it (with its
unit, marked where computed, 未公布 where not printed), and why an empty chart is empty."""

from __future__ import annotations

import json
from pathlib import Path

from components import debt, performance, transfers
from components.chart_table import make_chart_table, table_rows
from components.data import load_folder
from components.sections import debt as debt_model
from components.sections import transfers as transfers_model

DATA = Path(__file__).resolve().parents[1] / "data"
REGION = "株洲经开区"


def test_the_transfers_bars_table_is_the_hover_text_of_each_bar():
    seed = load_folder(DATA)
    cats = transfers_model.chart_frame(transfers_model.model(seed, 2023, REGION))
    head, rows = table_rows(transfers.fig_budget_vs_prior(cats))
    assert head == ["类别", "上年执行数", "预算数"]  # the legend-only key traces are no columns
    assert rows[1] == ["一般性转移支付", "4,215 万元（计算值）", "1,722 万元"]
    assert rows[0][2] == "0 万元"  # a printed 0 stays 0, never 未公布


def test_a_donut_and_a_count_chart_carry_their_units():
    seed = load_folder(DATA)
    head, rows = table_rows(debt.fig_composition(debt_model.model(seed, 2022, REGION)))
    assert head == ["项目", "数值"] and ["一般债务", "4.50 亿元"] in rows
    head, rows = table_rows(performance.fig_target_types(performance.model(seed, 2022, REGION)))
    assert head == ["类别", "评价对象数（个）"] and rows == [["部门整体支出", "3"], ["项目支出", "5"]]


def test_an_empty_chart_says_why_in_its_table():
    seed = load_folder(DATA)
    fig = performance.fig_grades(performance.model(seed, 2022, REGION), value="amount")
    text = json.dumps([c.to_plotly_json() for c in make_chart_table(fig)], ensure_ascii=False, default=str)
    assert "各等级涉及金额未公布" in text and "<table" not in text
