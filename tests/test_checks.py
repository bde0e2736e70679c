"""Checks of the published figures: flag real gaps, never rounding."""

from __future__ import annotations

from pathlib import Path

import pytest

from components import checks, transfers
from components.data import DataSource, load_folder

TRANSFERS = "年度,地区,类别,项目,预算数,上年执行数,增减额,增减率,单位\n"


def findings(tmp_path: Path, **files: str) -> list[str]:
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return [str(f) for f in checks.findings(load_folder(tmp_path))]


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
        + "2023,A,一般性转移支付,,1722,,,,\n2023,A,一般性转移支付,x,1000,,,,\n2023,A,一般性转移支付,其他y,700,,,,\n"
    )
    assert "分项之和为 1,700 万元" in findings(tmp_path, transfers=text)[0]  # ends with 其他: the whole list
    partial = text.replace("其他y,700", "其他y,-")
    assert findings(tmp_path, transfers=partial) == []
    # Without a catch-all, items adding up to less may be the main ones only (中央 2010 lists 4 of them)...
    assert findings(tmp_path, transfers=text.replace("其他y", "y")) == []
    # ...but never to more than their category.
    assert "分项之和为 1,800 万元" in findings(tmp_path, transfers=text.replace("其他y,700", "y,800"))[0]


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


def test_findings_are_derived_once_per_snapshot_and_a_source_may_warm_them(tmp_path, monkeypatch):
    made = []
    monkeypatch.setattr(checks, "check_dataset", lambda d, check=checks.check_dataset: made.append(d) or check(d))
    path = tmp_path / "debt.csv"
    path.write_text("年度,地区,债务类型,限额,余额,单位\n2022,A,一般债务,4.00,4.50,亿元\n", encoding="utf-8")  # over
    cold = DataSource(tmp_path, settle=0).get()
    assert made == []  # without the hook nothing is checked until asked
    first = checks.findings(cold)
    assert made == [cold] and checks.findings(cold) is first and len(first) == 1
    made.clear()
    source = DataSource(tmp_path, settle=0, prepare=checks.findings)
    warm = source.get()
    assert made == [warm]  # checked before it was handed out
    assert checks.findings(warm) == first and made == [warm]
    path.write_text("年度,地区,债务类型,限额,余额,单位\n2022,A,一般债务,5.00,4.50,亿元\n", encoding="utf-8")
    new = source.get()
    assert new is not warm and made == [warm, new] and checks.findings(new) == []


def test_the_seed_is_consistent():
    assert checks.findings(load_folder(Path(__file__).resolve().parents[1] / "data")) == []


# ---------------------------------------------------------------- what a finding says


def found(tmp_path: Path, **files: str):
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return checks.findings(load_folder(tmp_path))


def test_a_finding_names_file_lines_figures_gap_and_the_rows_it_is_about(tmp_path):
    text = (
        TRANSFERS + "2023,A,合计,,46.40,,,,亿元\n2023,A,税收返还,,15.67,,,,亿元\n2023,A,专项转移支付,,29.73,,,,亿元\n"
    )
    (finding,) = found(tmp_path, transfers=text)
    assert (finding.file, finding.line, finding.lines, finding.column) == ("transfers.csv", 2, (2, 3, 4), "预算数")
    assert "46.4 亿元" in finding.message and "45.4 亿元" in finding.message
    assert "相差至少 0.985 亿元" in finding.message  # 46.395 − (45.40 + 0.01)
    assert (finding.section, finding.year, finding.region, finding.subject, finding.kind) == (
        "transfers",
        2023,
        "A",
        "合计",
        "total",
    )
    assert str(finding).startswith("transfers.csv 第2行 「预算数」列（提示）：2023年A合计")


# ---------------------------------------------------------------- 合计 and categories given by their items


def test_the_total_counts_a_category_given_only_by_its_items(tmp_path):
    # 一般性转移支付 has no row of its own: its items are its part of the 合计.
    text = (
        TRANSFERS
        + "2023,A,合计,,{},,,,\n2023,A,税收返还,,100,,,,\n"
        + "2023,A,一般性转移支付,x,50,,,,\n2023,A,一般性转移支付,y,25,,,,\n"
    )
    assert found(tmp_path, transfers=text.format(175)) == []
    (finding,) = found(tmp_path, transfers=text.format(100))
    assert finding.lines == (2, 3, 4, 5) and "分项之和为 175 万元" in finding.message


@pytest.mark.parametrize(
    "budget,flagged", [("6.99", True), ("7.00", False), ("7.01", False), ("7.02", False), ("7.03", True)]
)
def test_category_against_items_on_both_sides_of_the_rounding_line(tmp_path, budget, flagged):
    # 2.34 + 4.67 = 7.01 ± 0.01; the category ± 0.005: anything from 6.995 to 7.025 may be true.
    text = (
        TRANSFERS
        + f"2023,A,税收返还,,{budget},,,,亿元\n2023,A,税收返还,x,2.34,,,,亿元\n2023,A,税收返还,其他,4.67,,,,亿元\n"
    )
    assert bool(found(tmp_path, transfers=text)) is flagged


# ---------------------------------------------------------------- stated changes, line items included


def test_a_line_items_stated_change_is_checked_too(tmp_path):
    text = TRANSFERS + "2023,A,税收返还,x,120,100,25,25,\n"
    findings_ = found(tmp_path, transfers=text)
    assert [f.column for f in findings_] == ["增减额", "增减率"]
    assert all(f.lines == (2,) and f.kind == "change" and "「x」" in f.message for f in findings_)
    assert "相差至少 3.5 万元" in findings_[0].message  # 25 ± 0.5 against 20 ± 1


@pytest.mark.parametrize("stated,flagged", [("20", False), ("21.5", False), ("22", True), ("18", True)])
def test_stated_change_in_whole_units(tmp_path, stated, flagged):
    # 120 − 100 with whole units: anything in [19, 21]; 21.5 ± 0.05 still fails to reach it.
    text = TRANSFERS + f"2023,A,税收返还,,120,100,{stated},,\n"
    expect = flagged or stated == "21.5"
    assert bool(found(tmp_path, transfers=text)) is expect


def test_a_rate_against_a_prior_that_may_be_zero_is_not_checked(tmp_path):
    text = TRANSFERS + "2023,A,税收返还,,5,0,5,100,\n2023,A,专项转移支付,,5,0.0,4.6,50,\n"
    assert found(tmp_path, transfers=text) == []


# ---------------------------------------------------------------- debt


DEBT = "年度,地区,债务类型,限额,余额,新增债券,付息,单位\n"


@pytest.mark.parametrize("total,flagged", [("60.70", False), ("60.72", False), ("60.73", True), ("60.69", True)])
def test_debt_total_on_both_sides_of_the_rounding_line(tmp_path, total, flagged):
    # 4.50 + 56.21: anything in [60.70, 60.72]; a stated 60.73 means at least 60.725.
    text = DEBT + f"2022,A,一般债务,,4.50,,,亿元\n2022,A,专项债务,,56.21,,,亿元\n2022,A,合计,,{total},,,亿元\n"
    findings_ = found(tmp_path, debt=text)
    assert bool(findings_) is flagged
    if flagged:
        assert findings_[0].column == "余额" and findings_[0].lines == (2, 3, 4)


@pytest.mark.parametrize("balance,flagged", [("4.50", False), ("4.51", False), ("4.52", True)])
def test_balance_over_limit_on_both_sides_of_the_rounding_line(tmp_path, balance, flagged):
    text = DEBT + f"2022,A,一般债务,4.50,{balance},,,亿元\n"
    findings_ = found(tmp_path, debt=text)
    assert bool(findings_) is flagged
    if flagged:
        assert findings_[0].kind == "limit" and "超出 0.02 亿元" in findings_[0].message


def test_debt_flows_are_checked_against_the_total_too(tmp_path):
    text = DEBT + "2022,A,一般债务,,,0,0,亿元\n2022,A,专项债务,,,5.44,0.32,亿元\n2022,A,合计,,,5.44,0.42,亿元\n"
    (finding,) = found(tmp_path, debt=text)
    assert finding.column == "付息" and "0.42 亿元" in finding.message


SERVICE = "年度,地区,债务类型,还本,付息,还本付息,单位\n"


@pytest.mark.parametrize("service,flagged", [("8.63", False), ("8.64", False), ("8.65", True), ("8.61", True)])
def test_a_printed_debt_service_against_its_principal_and_interest(tmp_path, service, flagged):
    # 南漳县2023 prints 本息8.63亿元(本金6.64亿元,利息1.99亿元) on one row: 6.64 + 1.99 in [8.62, 8.64].
    findings_ = found(tmp_path, debt=SERVICE + f"2023,A,合计,6.64,1.99,{service},亿元\n")
    assert bool(findings_) is flagged
    if flagged:
        assert findings_[0].column == "还本付息" and "还本与付息之和为 8.63 亿元" in findings_[0].message


@pytest.mark.parametrize("service,flagged", [("26887.0359", False), ("26888", False), ("26889", True)])
def test_a_total_debt_service_against_every_types_principal_and_interest(tmp_path, service, flagged):
    # The 合计 prints only 还本付息 (26887.0359万元); each type prints 还本 in whole 万元 and 付息 to 4
    # decimals: 5500 + 14615 + 2494.1115 + 4277.9244 stands for anything within 1.0001 of 26887.0359.
    text = SERVICE + f"2021,A,一般债务,5500,2494.1115,,万元\n2021,A,专项债务,14615,4277.9244,,万元\n2021,A,合计,,,{service},万元\n"
    findings_ = found(tmp_path, debt=text)
    assert bool(findings_) is flagged
    if flagged:
        assert findings_[0].lines == (2, 3, 4) and findings_[0].line == 4


# ---------------------------------------------------------------- grades


GRADES = "年度,地区,评价方式,等级,数量\n"
EVALUATIONS = "年度,地区,评价方式,对象类型,评价对象,等级\n"


def test_an_ungraded_evaluation_may_have_any_grade(tmp_path):
    evaluations = EVALUATIONS + "2022,A,m,项目,x,良\n2022,A,m,项目,y,\n"
    assert found(tmp_path, evaluations=evaluations, grades=GRADES + "2022,A,m,良,2\n") == []
    (finding,) = found(tmp_path, evaluations=evaluations, grades=GRADES + "2022,A,m,良,3\n")
    assert "相差至少 1 个" in finding.message and "另有 1 个未列等级" in finding.message


def test_a_grade_given_in_evaluations_but_not_in_grades_is_named(tmp_path):
    evaluations = EVALUATIONS + "2022,A,m,项目,x,良\n2022,A,m,项目,y,优\n"
    (finding,) = found(tmp_path, evaluations=evaluations, grades=GRADES + "2022,A,m,良,1\n")
    assert "未列出等级为优" in finding.message and "第3行" in finding.message and finding.file == "grades.csv"


def test_counts_naming_the_evaluation_lines_of_that_grade(tmp_path):
    evaluations = EVALUATIONS + "2022,A,m,项目,x,良\n2022,A,m,项目,y,中\n2022,A,m,项目,z,良\n"
    (finding,) = found(tmp_path, evaluations=evaluations, grades=GRADES + "2022,A,m,良,1\n2022,A,m,中,1\n")
    assert "第2、4行" in finding.message and finding.line == 2 and finding.subject == "良"


def test_a_bare_zero_is_as_precise_as_the_figures_beside_it(tmp_path):
    # 0 + 0.32 is 0.32 ± 0.005, not ± 0.5 亿元: a stated 0.42 is a real gap of 0.09 亿元.
    text = DEBT + "2022,A,一般债务,,,0,0,亿元\n2022,A,专项债务,,,5.44,0.32,亿元\n2022,A,合计,,,5.44,{},亿元\n"
    assert found(tmp_path, debt=text.format("0.32")) == []
    (finding,) = found(tmp_path, debt=text.format("0.42"))
    assert finding.column == "付息" and "相差至少 0.085 亿元" in finding.message


def test_a_bare_zero_among_whole_numbers_keeps_their_precision(tmp_path):
    # Two items under 0.5 万元 each print as 0 and may add up to a total printed as 1.
    text = TRANSFERS + "2023,A,税收返还,,1,,,,\n2023,A,税收返还,x,0,,,,\n2023,A,税收返还,y,0,,,,\n"
    assert found(tmp_path, transfers=text) == []


def test_the_transfers_table_gives_the_same_verdict_on_the_total_as_the_checks(tmp_path):
    # 合计 176.3 ± 0.05 against 100 ± 0.5 plus items 50.4 and 25.3 (± 0.05 each): consistent only
    # when the items' own rounding counts, as it does in the checks.
    text = (
        TRANSFERS
        + "2023,A,合计,,176.3,,,,\n2023,A,税收返还,,100,,,,\n"
        + "2023,A,一般性转移支付,x,50.4,,,,\n2023,A,一般性转移支付,y,25.3,,,,\n"
    )
    (tmp_path / "transfers.csv").write_text(text, encoding="utf-8")
    dataset = load_folder(tmp_path)
    assert checks.findings(dataset) == []
    table = str(transfers.make_table(transfers.model_for(dataset, 2023, "A", None)).to_plotly_json())
    assert "与分项加总一致" in table and "不一致" not in table


def test_a_share_only_grade_or_a_printed_total_is_not_compared_with_graded_evaluations(tmp_path):
    # Once a crash (int(NaN)) and a false 「等级为合计」 finding.
    evaluations = EVALUATIONS + "2022,A,m,项目,x,良\n2022,A,m,项目,y,中\n"
    grades = "年度,地区,评价方式,等级,数量,占比\n2022,A,m,良,,50\n2022,A,m,中,1,50\n2022,A,m,合计,2,100\n"
    assert found(tmp_path, evaluations=evaluations, grades=grades) == []


# ---------------------------------------------------------------- 占比 against the counts

SHARES = "年度,地区,评价方式,等级,数量,占比\n"


def test_a_share_that_is_its_count_out_of_the_total_is_silent(tmp_path):
    assert found(tmp_path, grades=SHARES + "2022,A,m,良,5,62.5\n2022,A,m,中,3,37.5%\n") == []


def test_a_wrong_share_is_reported_on_its_own_line(tmp_path):
    (finding,) = found(tmp_path, grades=SHARES + "2022,A,m,良,5,62.5\n2022,A,m,中,3,30.0\n")
    assert (finding.file, finding.line, finding.lines, finding.column) == ("grades.csv", 3, (3,), "占比")
    assert (finding.level, finding.section, finding.subject, finding.kind) == ("warning", "performance", "中", "shares")
    assert "等级为中的占比为 30.0%" in finding.message and "应为 37.5%" in finding.message
    assert "良、中数量之和 8 个" in finding.message


@pytest.mark.parametrize("printed,flagged", [("13", False), ("12", True), ("12.5", False), ("12.50", False)])
def test_a_share_is_rounded_half_up_at_its_printed_decimals(tmp_path, printed, flagged):
    # 1 of 8 is 12.5% exactly: 13 with no decimals (四舍五入), never 12; 7 of 8 is 87.5% → 88.
    findings_ = found(tmp_path, grades=SHARES + f"2022,A,m,优,1,{printed}\n2022,A,m,良,7,88\n")
    assert bool(findings_) is flagged, findings_
    if flagged:
        (finding,) = findings_
        assert finding.line == 2 and "应为 13%" in finding.message and "= 12.5%" in finding.message


def test_shares_without_counts_are_not_checked_against_counts(tmp_path):
    assert found(tmp_path, grades="年度,地区,评价方式,等级,占比\n2022,A,m,优良,82.5\n2022,A,m,中,17.5\n") == []
    assert found(tmp_path, grades="年度,地区,评价方式,等级,占比\n2022,A,m,优良,82.5\n") == []  # part of them


def test_you_liang_with_a_share_of_the_counts(tmp_path):
    # 4 projects 优良 of 5: 80.0%.
    assert found(tmp_path, grades=SHARES + "2022,A,m,优良,4,80.0\n2022,A,m,中,1,20.0\n") == []
    (finding,) = found(tmp_path, grades=SHARES + "2022,A,m,优良,4,75.0\n2022,A,m,中,1,20.0\n")
    assert finding.line == 2 and finding.subject == "优良" and "应为 80.0%" in finding.message
    # 优良 alone is part of the distribution: its 80% is 4 of 5, not of the 4 listed.
    assert found(tmp_path, grades=SHARES + "2022,A,m,优良,4,80.0\n") == []
    # 优 and 良 beside 优良 are its parts, not more evaluations: each is out of the same 5.
    both = SHARES + "2022,A,m,优良,4,80\n2022,A,m,优,1,20\n2022,A,m,良,3,60\n2022,A,m,中,1,20\n"
    assert found(tmp_path, grades=both) == []


def test_a_printed_total_row_is_the_total_of_the_shares(tmp_path):
    assert found(tmp_path, grades=SHARES + "2022,A,m,优良,4,80\n2022,A,m,合计,5,100\n") == []
    (finding,) = found(tmp_path, grades=SHARES + "2022,A,m,优良,4,75\n2022,A,m,合计,5,100\n")
    assert finding.line == 2 and "第3行合计 5 个" in finding.message
    (finding,) = found(tmp_path, grades=SHARES + "2022,A,m,良,1,50\n2022,A,m,合计,2,99\n")
    assert finding.line == 3 and finding.subject == "合计" and "应为 100%" in finding.message


def test_shares_of_the_whole_distribution_add_up_to_100_within_rounding(tmp_path):
    head = "年度,地区,评价方式,等级,占比\n"
    # 优 and 良 under 优良 are not counted twice; three whole percents may add to 99 or 101.
    assert found(tmp_path, grades=head + "2022,A,m,优良,80\n2022,A,m,优,30\n2022,A,m,中,20\n") == []
    assert found(tmp_path, grades=head + "2022,A,m,优,33\n2022,A,m,良,33\n2022,A,m,中,33\n2022,A,m,差,0\n") == []
    (over,) = found(tmp_path, grades=head + "2022,A,m,优良,82.5\n2022,A,m,中,27.5\n")
    assert (over.line, over.lines, over.kind) == (3, (2, 3), "shares")
    assert "占比之和为 110%" in over.message and "相差至少 9.9 个百分点" in over.message
    # Under 100% is a gap only when every grade is listed; else the rest may be unlisted grades.
    assert found(tmp_path, grades=head + "2022,A,m,优良,82.5\n2022,A,m,中,10\n") == []
    (under,) = found(tmp_path, grades=head + "2022,A,m,优良,82.5\n2022,A,m,中,10\n2022,A,m,差,0\n")
    assert under.line == 4 and "占比之和为 92.5%" in under.message and "相差至少 6.45 个百分点" in under.message


def test_the_fixtures_shares_and_counts_agree():
    root = Path(__file__).resolve().parent / "fixtures"
    for folder in [root / "multi", *sorted((root / "realdocs").iterdir())]:
        assert [f for f in checks.findings(load_folder(folder)) if f.kind == "shares"] == [], folder


def test_a_narrative_that_names_only_the_main_items_is_not_a_disagreement():
    # 中央 2010: 「在一般性转移支付中，均衡性转移支付安排4168亿元……」, four items of 5,266 亿元 under a
    # category of 12,295.73 亿元. The page branded the chart 「数字不一致」 in front of delegates.
    # The 合计 30611 (printed whole) and 增减额 1989.7 agree with parts printed to 2 decimals.
    dataset = load_folder(Path(__file__).resolve().parent / "fixtures" / "realdocs" / "central-transfers-2010")
    assert dataset.errors == [] and checks.findings(dataset) == []
