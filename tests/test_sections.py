"""The 税收返还和转移支付 section model on real-shaped cases: what the document prints stays printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components import briefing, checks, overview, transfers
from components.data import load_folder
from components.office.tables import transfer_tables
from components.sections import transfers as model_of
from components.state import ViewState
from tests.helpers import find_id

FIXTURES = Path(__file__).parent / "fixtures" / "realdocs"
DATA = Path(__file__).parent.parent / "data"
HEAD = "年度,地区,类别,项目,预算数,上年执行数,增减额,增减率,单位,说明\n"


@pytest.fixture(scope="module")
def seed():
    return load_folder(DATA)


def folder(tmp_path, body: str):
    (tmp_path / "transfers.csv").write_text(HEAD + body, encoding="utf-8")
    return load_folder(tmp_path)


def texts_of(component) -> str:
    return json.dumps(component, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def texts(line) -> tuple[str, ...]:
    return tuple(f.text() for f in (line.budget, line.prior, line.change, line.change_pct))


def test_the_seed(seed):
    m = model_of.model(seed, 2023, "株洲经开区")
    assert texts(m.total)[:3] == ("1722万元", "12396万元", "-10674万元") and m.ratio.text() == "13.89%"
    assert m.stated_total and m.total.budget.source == "printed" and m.ratio.source == "printed"
    general = next(c for c in m.categories if c.category == "一般性转移支付")
    assert texts(general) == ("1722万元", "4215万元", "-2493万元", "-59.15%")
    said = m.sentences["total"]
    assert said[0] == "2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。"
    assert said[2].startswith("一般性转移支付1722万元，比上年执行数减少2493万元，减少59.15%，主要是")
    # The seed prints no 上年执行数, only 「比上年执行数减少2493万元」: 1722 + 2493, marked computed.
    assert general.prior.source == "computed" and general.prior.how == "计算值" and general.change.source == "printed"
    assert "（计算值）" in texts_of(transfers.make_kpis(m)[1])
    assert "上年执行数为计算值" in texts_of(transfers.make_table(m)) and "按分项计算" not in texts_of(transfers.make_table(m))


def test_a_printed_total_stays_as_printed(tmp_path):
    m = model_of.model(folder(tmp_path, "2020,A,合计,,45.39,,,,亿元,\n2020,A,税收返还,,15.67,,,,亿元,\n"
                                        "2020,A,一般性转移支付,,29.73,,,,亿元,\n"), 2020, "A")  # fmt: skip
    assert m.total.budget.text() == "45.39亿元" and m.total.budget.source == "printed"
    assert "与分项加总一致" in m.check  # 45.40 against 45.39: rounding, silent


def test_without_a_total_the_parts_are_summed_and_marked(tmp_path):
    three = "2020,A,税收返还,,15.67,,,,亿元,\n2020,A,一般性转移支付,,29.73,,,,亿元,\n2020,A,专项转移支付,,0,,,,亿元,\n"
    m = model_of.model(folder(tmp_path, three), 2020, "A")
    assert m.total.budget.text() == "45.40亿元" and m.total.budget.source == "computed"
    assert m.sentences["total"][0].startswith("2020年转移支付预算45.40亿元（按分项计算）")
    missing = model_of.model(folder(tmp_path, three.replace("29.73", "")), 2020, "A")
    assert missing.total.budget.text() == "未公布"


def test_a_file_that_leaves_out_a_category_states_no_total(tmp_path):
    # A 说明 that gives 一般性转移支付 alone (351287 万元) was shown as 「本年预算数 351,287 万元（按分项
    # 计算）」 and 「2022年转移支付预算351287万元」: one category called the whole.
    dataset = folder(tmp_path, "2022,A,一般性转移支付,,351287,,,,万元,\n")
    m = model_of.model(dataset, 2022, "A")
    assert m.total.budget.text() == "未公布" and m.unlisted == ("税收返还", "专项转移支付")
    (table,) = transfer_tables(dataset, briefing.deck(dataset, "?year=2022&region=A"))
    assert table.rows[-1][0] == "合计" and table.rows[-1][-1].startswith("文件未列税收返还、专项转移支付，不能加总")
    assert m.sentences["total"][0] == "2022年转移支付预算未公布（文件未列税收返还、专项转移支付），无法计算比上年执行数的增减。"
    assert m.sentences["total"][1] == "一般性转移支付351287万元，上年执行数未公布。"
    card = find_id(transfers.make_kpis(m), "transfers-kpi-budget").children.children
    assert [part.children for part in card[1:]] == ["未公布", "文件未列税收返还、专项转移支付，不能加总"]
    assert "文件未列税收返还、专项转移支付，不能加总" in str(transfers.make_table(m))
    (overview_card,), *_ = overview.transfer_cards(dataset, 2022, "A")
    assert "文件未列税收返还、专项转移支付，不能加总" in str(overview_card)
    two = model_of.model(folder(tmp_path, "2022,A,税收返还,,5,4,,,万元,\n2022,A,一般性转移支付,,9,8,,,万元,\n"), 2022, "A")
    waterfall = transfers.fig_waterfall(model_of.chart_frame(two), "万元")
    assert waterfall.layout.annotations[0].text == "文件未列专项转移支付，无法分解增减"
    district = load_folder(Path(__file__).parent / "fixtures" / "realdocs" / "district-transfers-2022")
    assert model_of.model(district, 2022, "全区").unlisted == ("税收返还", "专项转移支付")
    assert checks.findings(district) == []  # 16 main items of 一般性转移支付, no 「其他」: not a disagreement
    # Nor does the trend's stack read as the whole: each year says what the file leaves out.
    trend = transfers.fig_trend(district.frame("transfers"), "全区", None, "万元")
    assert trend.layout.xaxis.ticktext == (
        "2021<br><sub>一般性转移支付、专项转移支付未列</sub>",
        "2022<br><sub>税收返还、专项转移支付未列</sub>",
    )
    picked = transfers.fig_trend(district.frame("transfers"), "全区", ["一般性转移支付"], "万元")
    assert picked.layout.xaxis.ticktext == ("2022",)  # a picked category is all that is asked for
    # A selection is a part the viewer chose, named as such: its parts are added up.
    chosen = model_of.model(folder(tmp_path, "2022,A,税收返还,,5,4,,,万元,\n"), 2022, "A", ["税收返还"])
    assert chosen.total.budget.text() == "5万元" and chosen.unlisted == ()


def test_a_stated_change_is_shown_as_printed(tmp_path):
    m = model_of.model(folder(tmp_path, "2020,A,一般性转移支付,,6.55,6.95,-0.41,-5.9,亿元,\n"), 2020, "A")
    line = m.categories[0]
    assert texts(line) == ("6.55亿元", "6.95亿元", "-0.41亿元", "-5.9%")  # not -0.40, -5.76%
    assert line.change.source == line.change_pct.source == "printed"
    assert m.sentences["total"][1] == "一般性转移支付6.55亿元，比上年执行数减少0.41亿元，减少5.9%。"


def test_a_stated_rate_without_last_year_is_shown(tmp_path):
    m = model_of.model(folder(tmp_path, "2020,A,专项转移支付,,2.12,,,-29.8,亿元,\n"), 2020, "A")
    assert m.categories[0].change_pct.text() == "-29.8%"
    assert m.sentences["total"][1] == "专项转移支付2.12亿元，上年执行数未公布，比上年执行数减少29.8%。"


def test_a_change_is_computed_only_where_none_is_stated(tmp_path):
    line = model_of.model(folder(tmp_path, "2020,A,税收返还,,0.75,0.95,,,亿元,\n"), 2020, "A").categories[0]
    assert line.change.text() == "-0.20亿元" and line.change.source == "computed"
    assert line.change_pct.text() == "-21.05%" and line.change_pct.source == "computed"


def test_printed_decimals_are_kept(tmp_path):
    m = model_of.model(
        folder(tmp_path, "2020,A,税收返还,,1.775,,,,亿元,\n2020,A,一般性转移支付,,1.78,,,,亿元,\n"), 2020, "A"
    )
    assert [c.budget.text() for c in m.categories] == ["1.775亿元", "1.78亿元"]
    assert model_of.card_text(m.categories[0].budget) == "1.775 亿元"


def test_a_selection_is_a_named_subset(seed):
    m = model_of.model(seed, 2023, "株洲经开区", ["一般性转移支付"])
    assert m.subset == "一般性转移支付" and not m.stated_total
    assert texts(m.total)[:3] == ("1722万元", "4215万元", "-2493万元")
    assert m.sentences["total"][0].startswith("2023年一般性转移支付预算1722万元，比上年执行数减少2493万元")
    assert not any(s.startswith("2023年转移支付预算") for s in m.sentences["total"])
    both = model_of.model(seed, 2023, "株洲经开区", ["税收返还", "专项转移支付"])
    assert both.total.budget.text() == "0万元" and both.total.budget.source == "computed"
    assert both.sentences["total"][0].startswith("2023年税收返还、专项转移支付预算0万元（按分项计算）")


def test_a_category_given_only_by_its_items(tmp_path):
    m = model_of.model(folder(tmp_path, "2020,A,一般性转移支付,结算补助,252,,,,万元,\n"
                                        "2020,A,一般性转移支付,均衡性转移支付,16049,,,,万元,\n"), 2020, "A")  # fmt: skip
    cat = m.categories[0]
    assert cat.derived and cat.budget.text() == "16301万元" and cat.budget.source == "computed"
    assert [i.item for i in m.items_of("一般性转移支付")] == ["结算补助", "均衡性转移支付"]
    unstated = model_of.model(
        folder(tmp_path, "2020,A,一般性转移支付,x,252,,,,万元,\n2020,A,一般性转移支付,y,,,,,万元,\n"), 2020, "A"
    )
    assert unstated.categories[0].budget.text() == "未公布"


def test_the_unit_is_the_printed_one_unless_chosen(seed):
    assert model_of.model(seed, 2023, "株洲经开区").unit == "万元"
    m = model_of.model(seed, 2023, "株洲经开区", (), "亿元")
    assert m.total.budget.text() == "0.17亿元" and m.sentences["total"][0].startswith("2023年转移支付预算0.17亿元")


def test_karamay_2020_as_printed():
    m = model_of.model(load_folder(FIXTURES / "karamay-transfers-2020"), 2020, "克拉玛依区")
    assert m.unit == "亿元" and m.stated_total
    assert texts(m.total)[:2] == ("9.42亿元", "10.77亿元") and m.total.change.source == "computed"
    general = next(c for c in m.categories if c.category == "一般性转移支付")
    assert texts(general) == ("6.55亿元", "6.95亿元", "-0.41亿元", "-5.9%")
    special = next(c for c in m.categories if c.category == "专项转移支付")
    assert special.change.text() == "-0.9亿元"  # one decimal, as printed
    fund = next(c for c in m.categories if c.category == "政府性基金转移收入")
    assert fund.budget.text() == "27万元"  # the row printed in 万元 keeps its unit
    said = m.sentences["total"]
    assert (
        said[0]
        == "2020年转移支付预算9.42亿元，比上年执行数减少1.35亿元（计算值），为上年执行数的87.47%（计算值）。"
    )
    assert "一般性转移支付6.55亿元，比上年执行数减少0.41亿元，减少5.9%。" in said
    assert "税收返还0.75亿元，与上年执行数持平（计算值），较上年持平。" in said  # never 「比上年执行数持平」


def test_a_budget_without_last_year_is_shown_as_printed_and_no_change_is_said():
    """遂溪县2016: budgets and line items only, no 上年执行数 and no change printed."""
    dataset = load_folder(FIXTURES / "suixi-transfers-2016")
    m = model_of.model(dataset, 2016, "遂溪县")
    assert [(c.category, c.budget.text()) for c in m.categories] == [
        ("税收返还", "7315万元"),
        ("一般性转移支付", "212134万元"),
        ("专项转移支付", "40909万元"),
    ]
    assert m.total.budget.source == "printed" and not m.total.prior.stated and not m.total.change.stated
    assert m.sentences["total"][0] == "2016年转移支付预算260358万元，上年执行数未公布，无法计算增减。"
    cards = overview.transfer_cards(dataset, 2016, "遂溪县")[0]
    card = str(cards)
    assert "比上年执行数增减未公布" in card and "未公布（未公布）" not in card


def test_executed_figures_are_never_called_a_budget():
    """海勃湾区2017 对下级转移支付: 执行数 with stated changes, no 上年执行数 printed. The page, the
    overview, the deck and the export named them 预算数 in every title, legend and table header."""
    dataset = load_folder(FIXTURES / "haibowan-transfers-2017")
    m = model_of.model(dataset, 2017, "海勃湾区")
    assert m.amount == "执行数" and (m.total.prior.text(), m.total.prior.source) == ("7474万元", "computed")
    drawn = transfers.view(dataset, ViewState.of("transfers", 2017, "海勃湾区"))
    assert (drawn["bars_title"], drawn["waterfall_title"]) == ("执行数与上年执行数", "从上年执行数到本年执行数的增减")
    assert {trace["name"] for trace in drawn["bars"]["data"]} == {"上年执行数", "执行数"}
    assert "执行数（万元）" in texts_of(drawn["table"])
    assert "税收返还、一般性转移支付的执行数或上年执行数未公布" in texts_of(drawn["waterfall"])
    assert "预算" not in texts_of({k: v for k, v in drawn.items() if k != "query"})
    assert overview.view(dataset, ViewState.of("overview", 2017, "海勃湾区"))["transfers_title"] == "转移支付：执行数与上年执行数"
    deck = briefing.deck(dataset, "?year=2017&region=海勃湾区")
    assert "2017年转移支付：执行数与上年执行数" in [s.title for s in deck.slides]
    (table,) = transfer_tables(dataset, deck)
    assert table.title == "海勃湾区2017年税收返还和转移支付执行表" and table.columns[1] == "执行数"
    assert table.rows[-1][-1].endswith("上年执行数为计算值")


def test_the_kind_of_figure_is_said_as_the_file_gives_it(tmp_path):
    (tmp_path / "transfers.csv").write_text(
        "年度,地区,类别,口径,预算数,上年执行数\n2017,甲县,合计,决算,505,480\n2017,甲县,税收返还,决算,5,4\n", encoding="utf-8"
    )
    m = model_of.model(load_folder(tmp_path), 2017, "甲县")
    assert m.basis == "决算" and m.sentences["total"][0].startswith("2017年转移支付决算505万元")
    cards = overview.transfer_cards(load_folder(tmp_path), 2017, "甲县")[0]
    assert "'2017年转移支付决算'" in str(cards)  # the overview's card too
    seed = model_of.model(load_folder(DATA), 2023, "株洲经开区")
    assert seed.basis == "预算" and seed.sentences["total"][0].startswith("2023年转移支付预算1722万元")
