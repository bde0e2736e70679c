"""Checks of the published figures: flag real gaps, never rounding."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.dataset import load_folder

TRANSFERS = "年度,地区,类别,项目,预算数,上年执行数,增减额,增减率,单位\n"


def findings(tmp_path: Path, **files: str) -> list[str]:
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return [str(f) for f in load_folder(tmp_path).findings]


@pytest.mark.parametrize(
    "total,flagged",
    [("45.39", False), ("45.40", False), ("45.41", False), ("45.42", True), ("46.40", True), ("45", False)],
)
def test_stated_total_against_rounded_parts(tmp_path, total, flagged):
    text = (
        TRANSFERS
        + f"2023,A,合计,,{total},,,,亿元\n2023,A,税收返还,,15.67,,,,亿元\n2023,A,专项转移支付,,29.73,,,,亿元\n"
    )
    found = findings(tmp_path, transfers=text)
    assert bool(found) is flagged, found
    if flagged:
        assert (
            "第2行" in found[0] and "第3行" in found[0] and "第4行" in found[0] and "分项之和为 45.4 亿元" in found[0]
        )


@pytest.mark.parametrize("stated,flagged", [("-5.9", False), ("-5.8", False), ("-5.5", True), ("-6.0", True)])
def test_stated_change_rate_is_an_interval_too(tmp_path, stated, flagged):
    # 6.55 against 6.95: the exact rate lies anywhere in about [-5.90%, -5.62%].
    text = TRANSFERS + f"2023,A,税收返还,,6.55,6.95,,{stated},亿元\n"
    assert bool(findings(tmp_path, transfers=text)) is flagged


@pytest.mark.parametrize("stated,flagged", [("-0.4", False), ("-0.41", False), ("-0.5", True), ("-0.42", True)])
def test_stated_change_amount(tmp_path, stated, flagged):
    text = TRANSFERS + f"2023,A,税收返还,,6.55,6.95,{stated},,亿元\n"
    assert bool(findings(tmp_path, transfers=text)) is flagged


def test_category_against_its_line_items_only_when_all_are_given(tmp_path):
    text = (
        TRANSFERS
        + "2023,A,一般性转移支付,,1722,,,,\n2023,A,一般性转移支付,x,1000,,,,\n2023,A,一般性转移支付,y,700,,,,\n"
    )
    assert "分项之和为 1,700 万元" in findings(tmp_path, transfers=text)[0]
    partial = text.replace("y,700", "y,-")
    assert findings(tmp_path, transfers=partial) == []


def test_debt_total_and_limit(tmp_path):
    debt = (
        "年度,地区,债务类型,限额,余额,单位\n2022,A,一般债务,4.00,4.50,亿元\n2022,A,专项债务,,56.21,亿元\n"
        "2022,A,合计,,61.71,亿元\n"
    )
    found = findings(tmp_path, debt=debt)
    assert len(found) == 2
    assert any("超过限额 4 亿元" in f and "第2行" in f for f in found)
    assert any("61.71 亿元" in f and "60.71 亿元" in f for f in found)


def test_grade_counts_against_graded_evaluations(tmp_path):
    evaluations = "年度,地区,评价方式,对象类型,评价对象,等级\n2022,A,m,项目支出,x,良\n2022,A,m,项目支出,y,良\n"
    grades = "年度,地区,评价方式,等级,数量\n2022,A,m,良,3\n"
    found = findings(tmp_path, evaluations=evaluations, grades=grades)
    assert len(found) == 1 and "3 个" in found[0] and "2 个" in found[0]


def test_ungraded_evaluations_are_not_compared(tmp_path):
    evaluations = "年度,地区,评价方式,对象类型,评价对象\n2022,A,m,项目支出,x\n"
    grades = "年度,地区,评价方式,等级,数量\n2022,A,m,良,5\n"
    assert findings(tmp_path, evaluations=evaluations, grades=grades) == []


def test_the_seed_is_consistent():
    assert load_folder(Path(__file__).resolve().parents[1] / "data").findings == []
