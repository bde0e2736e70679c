"""政府债务 as the document prints it: the section model on the seed and on real notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from components import briefing, checks, debt, overview
from components.data import load_folder
from components.office.tables import debt_tables
from components.sections import debt as debt_model
from tests.helpers import find_id

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "fixtures" / "realdocs"


def model(folder: Path, year: int, region: str, *selected: str, unit: str | None = None):
    return debt_model.model(load_folder(folder), year, region, selected, unit)


def test_the_seed_reads_as_the_seed():
    m = model(ROOT / "data", 2022, "株洲经开区")
    assert m.unit == "亿元" and m.limit == "none"
    assert [m.totals[a].text() for a in ("balance", "new_bonds", "principal_repaid", "interest_paid")] == [
        "60.71亿元",
        "5.44亿元",
        "0亿元",
        "0.32亿元",
    ]
    balance, limit = m.sentences["composition"]
    assert balance == "截至2022年底，株洲经开区地方政府债务余额60.71亿元，其中一般债务余额4.50亿元，专项债务余额56.21亿元。"
    assert limit.startswith("株洲经开区无单列的政府债务限额：经上级部门核定")
    assert m.sentences["flows"][0] == "2022年新增债券5.44亿元，其中一般债务0亿元，专项债务5.44亿元，平均期限16年，平均利率3.21%。"


def test_a_table_printed_in_two_units_shows_every_figure_at_its_value():
    # 晋城市城区2022: 限额 and 余额 in 亿元, 付息 in 万元, as the column headers say. The page read
    # 19.2316 亿元 as 19.2316 万元 and 6071 万元 as 6071 万元 beside it, a factor of 10,000 apart.
    m = model(REAL / "jincheng-debt-2022", 2022, "晋城市城区")
    assert m.unit == "亿元" and card_lines(m, "debt-kpi-balance")[0] == "19.2316 亿元"
    assert [m.totals[a].text() for a in ("limit", "interest_paid", "principal_repaid")] == ["19.2316亿元", "0.6071亿元", "0亿元"]
    assert m.usage.text() == "100.00%"
    in_wan = model(REAL / "jincheng-debt-2022", 2022, "晋城市城区", unit="万元")
    assert [in_wan.totals[a].text() for a in ("balance", "interest_paid")] == ["192316万元", "6071万元"]
    assert in_wan.sentences["flows"][-1].startswith("2022年偿还债券本金决算数0万元；支付债券利息决算数6071万元，其中一般债务利息2326万元")
    # 新增债券: only 专项债务's 2.85 is printed. The card said a bare 未公布 above the drawn bar.
    assert card_lines(m, "debt-kpi-bonds") == ["合计未公布", "专项债务 2.85 亿元；平均期限 未公布 · 平均利率 未公布"]
    assert overview_lines(REAL / "jincheng-debt-2022", 2022, "晋城市城区", "overview-kpi-bonds")[1:] == card_lines(m, "debt-kpi-bonds")


def test_a_total_computed_from_the_types_is_marked_as_such_before_the_terms_and_notes_stay_on_their_rows():
    # A county's 2021 notice: 还本付息 printed as a total, 还本 and 付息 and 新增债券 only by type.
    # The card read 「平均期限 未公布 · 平均利率 未公布（按分项计算）」, the mark as if of the rate; the
    # workbook moved each type's 说明 onto the 合计 row.
    folder = REAL / "county-debt-2021"
    m = model(folder, 2021, "全县")
    assert card_lines(m, "debt-kpi-bonds") == ["16,034 万元", "按分项计算；平均期限 未公布 · 平均利率 未公布"]
    assert card_lines(m, "debt-kpi-service") == [
        "26,887.0359 万元",
        "还本 20,115 万元（按分项计算） · 付息 6,772.0359 万元（按分项计算）",
    ]
    assert checks.findings(load_folder(folder)) == []  # 5500 + 14615 + 2494.1115 + 4277.9244 = 26887.0359
    dataset = load_folder(folder)
    (table,) = debt_tables(dataset, briefing.deck(dataset, "?year=2021&region=全县"))
    notes = {row[0]: row[-1] for row in table.rows}
    assert notes["一般债务"] == "新增一般债券2734万元，用于小型水库安全运行"
    assert notes["专项债务"].startswith("新增专项债券13300万元")
    assert "小型水库" not in notes["合计"] and notes["合计"].endswith("全部用于偿还2021年到期的政府债券本金。")


def test_a_printed_repayment_heads_its_card_when_the_interest_is_not_printed():
    # A city's 2022 快报 (全市 and 市本级): 还本 printed, 付息 not. The card led with 「付息 未公布」.
    m = model(REAL / "city-debt-2022", 2022, "全市")
    assert card_lines(m, "debt-kpi-service") == ["还本 128.92 亿元", "付息 未公布"]
    assert overview_lines(REAL / "city-debt-2022", 2022, "全市", "overview-kpi-service") == [
        "2022年还本付息（执行数）",
        "还本 128.92 亿元",
        "付息 未公布",
    ]
    assert m.limit == "missing" and "全市政府债务限额未公布" in m.sentences["composition"][1]
    seed = model(ROOT / "data", 2022, "株洲经开区")
    assert card_lines(seed, "debt-kpi-service") == ["付息 0.32 亿元", "还本 0 亿元"]  # both printed: 付息 first


def test_figures_printed_only_on_the_total_row_are_shown_and_an_unprinted_limit_is_not_stated():
    # 南漳县: 还本 6.64 and 付息 1.99 appear only on 合计; the notice prints no limit.
    m = model(REAL / "nanzhang-debt-2023", 2023, "南漳县")
    assert (m.totals["principal_repaid"].text(), m.totals["interest_paid"].text()) == ("6.64亿元", "1.99亿元")
    assert m.totals["principal_repaid"].source == "printed"
    assert m.limit == "missing" and "无单列" not in "".join(m.sentences["composition"])
    assert "南漳县政府债务限额未公布" in m.sentences["composition"][1]
    # 「到期政府债券本息8.63亿元(本金6.64亿元,利息1.99亿元)」: the printed total, then its parts.
    assert m.sentences["flows"][-1] == "2023年还本付息8.63亿元：偿还债券本金6.64亿元；支付债券利息1.99亿元。"
    kpis = str(debt.make_kpis(m))
    card = find_id(debt.make_kpis(m), "debt-kpi-service").children.children  # title, value, detail
    assert [part.children for part in card[1:]] == ["8.63 亿元", "还本 6.64 亿元 · 付息 1.99 亿元"]
    assert "无单列限额" not in kpis
    # The chart draws them too, as a 合计 bar beside the types: never 「未公布」 bars for printed figures.
    bars = {trace.name: dict(zip(trace.x, trace.text, strict=True)) for trace in debt.fig_flows(m).data}
    assert bars["合计"]["还本"] == "6.64" and bars["合计"]["付息"] == "1.99"
    assert bars["专项债务"]["还本"] == ""  # the type's own figure is still not printed: no bar, no number
    # A year with only a 合计 row (台江 2021: 还本 0, 付息 0.18 预算) is drawn, not 「暂无政府债务数据」.
    only_total = debt.fig_flows(model(REAL / "taijiang-debt-2020", 2021, "台江区"))
    assert [t.name for t in only_total.data] == ["合计"] and "0.18" in only_total.data[0].text
    # Every type states the figure: no 合计 bar repeats their sum.
    assert "合计" not in {t.name for t in debt.fig_flows(model(ROOT / "data", 2022, "株洲经开区")).data}


def test_four_decimal_figures_keep_their_decimals_and_a_combined_debt_service_is_said_as_such():
    m = model(REAL / "yongchun-debt-2022", 2022, "永春县")
    assert m.totals["balance"].text() == "57.0454亿元" and m.totals["limit"].text() == "62.7504亿元"
    assert m.totals["refinancing_bonds"].text() == "8.111亿元"
    assert "还本付息12.1418亿元" in m.sentences["flows"][-1]
    assert m.totals["balance"].to("万元").text() == "570454万元"


def test_a_selection_is_named_as_the_part_it_is(tmp_path):
    m = model(ROOT / "data", 2022, "株洲经开区", "专项债务")
    assert m.subset == "专项债务" and m.totals["balance"].text() == "56.21亿元"
    assert m.totals["balance"].source == "printed"  # one type: its own printed figure, not a computation
    assert m.sentences["composition"][0] == "截至2022年底，株洲经开区专项债务余额56.21亿元。"
    assert "地方政府债务余额" not in "".join(m.sentences["composition"] + m.sentences["flows"])
    cards = [find_id(debt.make_kpis(m), card).children.children[0].children[0] for card in CARDS[:2]]
    assert cards == ["2022年末专项债务余额", "专项债务限额"]  # once 「债务」: not 「专项债务债务余额」
    missing = model(REAL / "mof-debt-2024", 2024, "全国", "一般债务")  # the limit printed only for the whole
    said = str(debt.make_kpis(missing)) + str(debt.make_limit_panel(missing)) + "".join(missing.sentences["composition"])
    assert "一般债务限额未公布" in said and "文件未列出本地区的一般债务限额" in said and "债务债务" not in said


CARDS = ("debt-kpi-balance", "debt-kpi-limit", "debt-kpi-bonds", "debt-kpi-service")


def overview_lines(folder: Path, year: int, region: str, card: str) -> list[str]:
    """An overview card's title, value and detail, as shown."""
    body = find_id(overview.debt_cards(load_folder(folder), year, region)[0], card).children.children
    title = body[0].children
    return [title[0] if isinstance(title, list) else title] + [part.children for part in body[1:3]]


def card_lines(m, card: str) -> list[str]:
    """A KPI card's value and detail, as shown."""
    return [part.children for part in find_id(debt.make_kpis(m), card).children.children[1:]]


def test_terms_and_repayments_printed_only_for_one_type_are_shown_as_that_types(tmp_path):
    # 财政部 2024 决算: 一般债务 prints its term, rate, 还本 and 付息; 专项债务 and 合计 print none of them.
    m = model(REAL / "mof-debt-2024", 2024, "全国")
    assert m.totals["limit"].text() == "527874.3亿元" and m.usage.text() == "90.06%"  # one decimal, as printed
    assert not m.term.stated and not m.rate.stated  # never weighted from one type of two
    assert card_lines(m, "debt-kpi-bonds") == ["未公布", "一般债务 平均期限 8.4 年 · 平均利率 2.27%"]
    assert card_lines(m, "debt-kpi-service") == ["合计未公布", "一般债务还本 12,422.85 亿元 · 付息 5,190.86 亿元"]
    assert overview_lines(REAL / "mof-debt-2024", 2024, "全国", "overview-kpi-service")[1:] == card_lines(m, "debt-kpi-service")
    assert m.sentences["flows"] == (
        "2024年新增债券决算数未公布；一般债务平均期限8.4年、平均利率2.27%。",
        "2024年偿还债券本金中，一般债务12422.85亿元，合计未公布；支付债券利息中，一般债务利息5190.86亿元，合计未公布。",
    )
    # 中新社 2024-02-29 (全国, January): term and rate printed for the whole and for each type.
    (tmp_path / "debt.csv").write_text(
        "年度,地区,债务类型,新增债券,平均期限,平均利率,单位\n"
        "2024,全国,一般债务,1186,8.0,2.58,亿元\n2024,全国,专项债务,568,9.4,2.63,亿元\n2024,全国,合计,1754,8.7,2.60,亿元\n",
        encoding="utf-8",
    )
    both = model(tmp_path, 2024, "全国")
    assert both.sentences["flows"][0] == (
        "2024年新增债券1754亿元，其中一般债务1186亿元，专项债务568亿元，平均期限8.7年，平均利率2.60%；"
        "一般债务平均期限8.0年、平均利率2.58%，专项债务平均期限9.4年、平均利率2.63%。"
    )
    assert card_lines(both, "debt-kpi-bonds")[1] == "平均期限 8.7 年 · 平均利率 2.60%"  # the whole's, as printed


def test_rates_without_a_term_and_a_printed_total_that_differs_from_its_parts(tmp_path):
    (tmp_path / "debt.csv").write_text(
        "年度,地区,债务类型,余额,新增债券,平均利率,单位\n"
        "2023,A,一般债务,15.67,1,3.05,亿元\n"
        "2023,A,专项债务,29.73,3,,亿元\n"
        "2023,A,合计,45.39,4,,亿元\n",
        encoding="utf-8",
    )
    m = model(tmp_path, 2023, "A")
    assert m.totals["balance"].text() == "45.39亿元"  # as printed, though 15.67 + 29.73 = 45.40
    assert m.totals["limit"].text() == "未公布" and m.limit == "missing"
    only = model(tmp_path, 2023, "A", "一般债务")
    assert only.rate.text() == "3.05%" and not only.term.stated  # a rate stands without a term


@pytest.mark.parametrize("text,shown", [("1.775", "1.775亿元"), ("5.295", "5.295亿元")])
def test_three_decimal_figures_are_not_rounded_away(tmp_path, text, shown):
    (tmp_path / "debt.csv").write_text(f"年度,地区,债务类型,余额,单位\n2023,A,合计,{text},亿元\n", encoding="utf-8")
    assert model(tmp_path, 2023, "A").totals["balance"].text() == shown


def test_the_kind_of_figure_is_said_as_the_file_gives_it_and_never_guessed():
    # 台江: 「债务余额预计执行数4.79亿元」「还本预计执行数0.13亿元」「付息预计执行数0.10亿元」, then 2021 预算数.
    m = model(REAL / "taijiang-debt-2020", 2020, "台江区")
    assert m.basis == "预计执行"
    balance, limit = m.sentences["composition"]
    assert balance == "截至2020年底，台江区地方政府债务余额预计执行数4.79亿元，其中一般债务余额3.76亿元，专项债务余额1.03亿元。"
    assert limit.startswith("台江区政府债务限额5.73亿元")  # a limit is a ceiling, not an estimate: no 口径
    assert m.sentences["flows"][0].startswith("2020年新增债券预计执行数2.38亿元，其中一般债务1.38亿元")
    assert "偿还债券本金预计执行数0.13亿元；支付债券利息预计执行数0.10亿元" in m.sentences["flows"][-1]
    kpis = str(debt.make_kpis(m))
    assert "2020年末债务余额（预计执行数）" in kpis and "新增债券（预计执行数）" in kpis and "还本付息（预计执行数）" in kpis
    assert "债务限额（" not in kpis
    cards, _figure, _said = overview.debt_cards(load_folder(REAL / "taijiang-debt-2020"), 2020, "台江区")
    assert "2020年末政府债务余额（预计执行数）" in str(cards) and "2020年还本付息（预计执行数）" in str(cards)
    budget = model(REAL / "taijiang-debt-2020", 2021, "台江区")  # 预算, the default: said as before
    assert budget.basis == "预算" and "预算数" not in "".join(budget.sentences["flows"])
    assert budget.labelled("2021年末债务余额") == "2021年末债务余额"
    seed = model(ROOT / "data", 2022, "株洲经开区")  # no 口径 column: nothing is invented
    assert seed.basis == "预算" and "数" not in seed.labelled("余额")
    assert "决算" not in "".join(seed.sentences["composition"] + seed.sentences["flows"])


def test_final_accounts_and_a_type_of_another_kind(tmp_path):
    (tmp_path / "debt.csv").write_text(
        "年度,地区,债务类型,口径,余额,新增债券,单位\n"
        "2022,甲县,一般债务,决算,4.50,0,亿元\n"
        "2022,甲县,专项债务,预计执行,56.21,5.44,亿元\n"
        "2022,甲县,合计,决算,60.71,5.44,亿元\n",
        encoding="utf-8",
    )
    m = model(tmp_path, 2022, "甲县")
    assert m.basis == "决算" and m.labelled("2022年末债务余额") == "2022年末债务余额（决算数）"
    assert m.sentences["composition"][0] == (
        "截至2022年底，甲县地方政府债务余额决算数60.71亿元，其中一般债务余额4.50亿元，专项债务余额预计执行数56.21亿元。"
    )
    only = model(tmp_path, 2022, "甲县", "专项债务")  # the part shown speaks for itself
    assert only.basis == "预计执行"
    assert only.sentences["composition"][0] == "截至2022年底，甲县专项债务余额预计执行数56.21亿元。"


def test_a_part_printed_without_its_total_is_said_first_and_a_computed_share_is_marked(tmp_path):
    # 鹿寨 2020 prints 「新增專項債券31300萬元」 and no 新增 total; no notice prints 余额 ÷ 限额.
    (tmp_path / "debt.csv").write_text(
        "年度,地区,债务类型,限额,余额,新增债券,单位\n"
        "2020,鹿寨县,一般债务,67900,66390.77,,万元\n2020,鹿寨县,专项债务,118400,118328,31300,万元\n",
        encoding="utf-8",
    )
    m = model(tmp_path, 2020, "鹿寨县")
    assert m.sentences["flows"][0] == "2020年新增债券中，专项债务31300万元；合计未公布。"
    assert "余额为限额的99.15%（计算值）" in m.sentences["composition"][1]


def test_no_trend_of_balances_from_a_single_year_that_prints_one():
    # 台江 has 2020 (余额 4.79) and 2021 (only 还本 and 付息 预算): one balance is no trend.
    dataset = load_folder(REAL / "taijiang-debt-2020")
    assert debt.trend_charts(dataset, 2020, "台江区", None, "亿元") == []


def test_a_table_of_one_debt_type_is_not_called_the_whole_debt(tmp_path):
    # Districts publish 一般债务限额和余额情况表 and 专项债务限额和余额情况表 apart. A file of the first
    # alone read 「A区地方政府债务余额11.8亿元」: the 一般债务 balance called the whole government debt.
    (tmp_path / "debt.csv").write_text("年度,地区,债务类型,限额,余额,单位\n2023,A区,一般债务,12.5,11.8,亿元\n", encoding="utf-8")
    m = model(tmp_path, 2023, "A区")
    assert m.totals["balance"].text() == "未公布" and m.unlisted == ("专项债务",)
    assert m.sentences["composition"] == (
        "截至2023年底，A区地方政府债务余额未公布（文件未列专项债务，不能加总），其中一般债务余额11.8亿元。",
        "A区政府债务限额未公布，其中一般债务限额12.5亿元，不计算限额使用率。",
    )
    assert card_lines(m, "debt-kpi-balance") == ["未公布", "文件未列专项债务，不能加总；一般债务 11.8 亿元"]
    assert card_lines(m, "debt-kpi-limit") == ["未公布", "文件未列专项债务，不能加总；一般债务 12.5 亿元"]
    value, detail = overview_lines(tmp_path, 2023, "A区", "overview-kpi-debt")[1:3]
    assert value == "未公布" and [x for x in detail if isinstance(x, str)] == [
        "文件未列专项债务，不能加总",
        "一般债务 11.8 亿元",
        "限额：未公布",
    ]
    dataset = load_folder(tmp_path)
    (table,) = debt_tables(dataset, briefing.deck(dataset, "?year=2023&region=A区"))
    assert table.rows[-1][0] == "合计" and table.rows[-1][-1] == "文件未列专项债务，不能加总"
    # Its doughnut drew 一般债务 as 100% of a whole nobody printed: no shares without the whole.
    assert "percent" not in debt.fig_composition(m).data[0].texttemplate
    assert "percent" in debt.fig_composition(model(ROOT / "data", 2022, "株洲经开区")).data[0].texttemplate
    # Picked, it is what was asked for, and named so.
    picked = model(tmp_path, 2023, "A区", "一般债务")
    assert picked.subset == "一般债务" and picked.sentences["composition"][0] == "截至2023年底，A区一般债务余额11.8亿元。"
    assert picked.usage.text() == "94.40%"
    # A printed 合计 is the whole as printed; what it leaves out is not made up from one type.
    m = model(REAL / "yongchun-debt-2022", 2022, "永春县")
    assert card_lines(m, "debt-kpi-balance") == ["57.0454 亿元", "一般债务 未公布"]  # no 「文件未列」 beside it
