"""Sentences written from the data, the unit switch, and the briefing deck (no browser)."""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly.graph_objects as go
import pytest

from components import briefing, debt, ids, overview, performance, present, transfers
from components.data import load_folder
from components.sections import debt as debt_model
from components.state import ViewState, parse_query

DATA = Path(__file__).resolve().parents[1] / "data"
REGION = "株洲经开区"


@pytest.fixture(scope="module")
def seed():
    return load_folder(DATA)


def edited(tmp_path: Path, name: str, *changes: tuple[str, str]):
    """The seed folder with one file's text changed."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return load_folder(folder)


def texts(component) -> str:
    if isinstance(component, list | tuple):
        return " ".join(texts(c) for c in component)
    if isinstance(component, str | int | float):
        return str(component)
    return texts(getattr(component, "children", None) or "")


# ---------------------------------------------------------------- sentences


def test_transfer_sentences_read_like_the_report(seed):
    said = transfers.sentences(transfers.model_for(seed, 2023, REGION, None, "万元"))[ids.TRANSFERS_BARS]
    assert said[0] == "2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。"
    general = next(s for s in said if s.startswith("一般性转移支付"))
    assert general.startswith(
        "一般性转移支付1722万元，比上年执行数减少2493万元，减少59.15%，主要是涉及社会事务职能移交"
    )
    assert general.endswith("导致年初预算与执行数有差异。")


def test_debt_sentences_state_the_balance_split_and_the_missing_limit(seed):
    said = debt.sentences(debt_model.model(seed, 2022, REGION, None, "亿元"))
    balance, limit = said[ids.DEBT_COMPOSITION]
    assert (
        balance
        == "截至2022年底，株洲经开区地方政府债务余额60.71亿元，其中一般债务余额4.50亿元，专项债务余额56.21亿元。"
    )
    assert limit.startswith("株洲经开区无单列的政府债务限额：经上级部门核定") and "0亿元" not in limit
    bonds, service = said[ids.DEBT_FLOWS]
    assert bonds == "2022年新增债券5.44亿元，其中一般债务0亿元，专项债务5.44亿元，平均期限16年，平均利率3.21%。"
    assert "支付债券利息0.32亿元" in service


def test_performance_sentences_count_grades_as_published(seed):
    said = performance.sentences(performance.model(seed, 2022, REGION, unit="万元"))[ids.PERF_GRADES]
    assert said[0] == (
        "2022年财政重点评价8个，其中部门整体支出3个、项目支出5个；评价结果等级为良的5个，评价结果等级为中的3个。"
    )
    assert "第三方重点绩效评价涉及财政金额34832.52万元" in said[1]


def test_an_unpublished_figure_is_said_to_be_unpublished_never_zero(tmp_path):
    dataset = edited(
        tmp_path,
        "transfers.csv",
        ("2023,株洲经开区,税收返还,,0,,-3330", "2023,株洲经开区,税收返还,,,3330,"),
        (
            "2023,株洲经开区,合计,,1722,,-10674,,万元,为上年执行数的13.89%,"
            "株洲经开区2023年预算说明（一、税收返还和转移支付情况）\n",
            "",
        ),  # the total from the parts
    )
    said = transfers.sentences(transfers.model_for(dataset, 2023, REGION, None, "万元"))[ids.TRANSFERS_BARS]
    assert said[0] == "2023年转移支付预算未公布（有类别的预算数未公布），无法计算比上年执行数的增减。"
    assert "税收返还预算数未公布。" in said
    assert not any("税收返还0万元" in s for s in said)


def test_a_stated_limit_is_compared_with_the_balance(tmp_path):
    dataset = edited(
        tmp_path,
        "debt.csv",
        (",一般债务,无单列限额,4.50", ",一般债务,10,4.50"),
        (",专项债务,无单列限额,56.21", ",专项债务,70,56.21"),
        (",合计,无单列限额,", ",合计,,"),
    )
    limit = debt.sentences(debt_model.model(dataset, 2022, REGION, None, "亿元"))[ids.DEBT_COMPOSITION][1]
    # The types print 10 and 70; the 合计 row prints no limit: the sum is said, and said to be computed.
    assert limit == "株洲经开区政府债务限额80亿元（按分项计算），余额为限额的75.89%（计算值）。"


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("元", "2023年转移支付预算17220000元，比上年执行数减少106740000元，为上年执行数的13.89%。"),
        ("亿元", "2023年转移支付预算0.17亿元，比上年执行数减少1.07亿元，为上年执行数的13.89%。"),
    ],
)
def test_sentences_follow_the_unit(seed, unit, expected):
    assert transfers.sentences(transfers.model_for(seed, 2023, REGION, None, unit))[ids.TRANSFERS_BARS][0] == expected


# ---------------------------------------------------------------- the unit switch on the pages


def test_the_unit_changes_cards_charts_tables_and_the_url(seed):
    out = transfers.view(seed, ViewState.of("transfers", 2023, REGION, "亿元"))
    kpis, bars, caption, table, query = (out[k] for k in ("kpis", "bars", "bars_caption", "table", "query"))
    assert "0.17 亿元" in texts(kpis)
    assert bars.layout.yaxis.title.text == "金额（亿元）"
    assert list(bars.data[1].y) == pytest.approx([0, 0.1722, 0])
    assert "预算数（亿元）" in texts(table)
    assert "0.17亿元" in texts(caption)
    assert parse_query(query)["unit"] == ["亿元"]


def test_a_section_in_its_own_unit_leaves_unit_out_of_the_url(seed):
    assert "unit" not in parse_query(debt.view(seed, ViewState.of("debt", 2022, REGION, "亿元"))["query"])
    out = debt.view(seed, ViewState.of("debt", 2022, REGION, "万元"))
    kpis, query = out["kpis"], out["query"]
    assert "607,100 万元" in texts(kpis) and parse_query(query)["unit"] == ["万元"]


def test_performance_list_and_indicators_follow_the_unit(seed):
    out = performance.view(seed, ViewState.of("performance", 2022, REGION, "亿元"))
    assert "3.48 亿元" in texts(out["indicators"])  # 34832.52 万元
    assert any(c["headerName"] == "涉及金额（亿元）" for c in out["grid_columns"])  # the list itself pages on the server


def test_overview_in_one_unit_for_every_section(seed):
    out = overview.view(seed, ViewState.of("overview", 2023, REGION, "万元"))
    cards, query = out["cards"], out["query"]
    assert "607,100 万元" in texts(cards) and "1,722 万元" in texts(cards)
    assert parse_query(query)["unit"] == ["万元"]


# ---------------------------------------------------------------- the deck


def test_slides_follow_the_report_order_one_chart_each(seed):
    deck = briefing.deck(seed, "year=2023")
    sections = [s.section for s in deck.slides]
    assert sections == sorted(sections, key=briefing.SECTIONS.index)
    assert sections[0] == "总览" and sections[-1] == "存在的问题与下一步"
    charts = [s for s in deck.slides if s.figure is not None]
    assert len(charts) == 6 and all(s.sentences and s.source for s in charts)
    closing = deck.slides[-1]
    assert [h for h, _ in closing.points][:1] == ["存在的问题"] and "下一步工作思路" in [h for h, _ in closing.points]


def test_the_deck_takes_the_page_filters_and_unit(seed):
    deck = briefing.deck(seed, "year=2023&category=一般性转移支付&unit=亿元")
    bars = next(s for s in deck.slides if s.section == "转移支付")
    assert list(bars.figure.data[0].x) == ["一般性转移支付"]
    # A selection is a subset and is named: never 「转移支付预算」 for the part.
    assert bars.sentences[0].startswith("2023年一般性转移支付预算0.17亿元")


def test_projector_charts_have_no_text_under_24px(seed):
    for slide in briefing.deck(seed, "").slides:
        if slide.figure is None:
            continue
        for contrast in (False, True):
            fig = go.Figure(briefing.projector(slide.figure, contrast))  # read with go.Figure's defaults
            assert fig.layout.font.size >= 24
            assert all(a.font.size >= 24 for a in fig.layout.annotations)
            assert all(t.textfont.size >= 24 for t in fig.data if t.type in ("bar", "pie"))
            assert fig.layout.xaxis.tickfont.size >= 24 and fig.layout.yaxis.tickfont.size >= 24
            if contrast:
                assert fig.layout.paper_bgcolor == "#000000" and fig.layout.font.color == "#FFFFFF"


@pytest.mark.parametrize(
    ("search", "expected"),
    [("slide=3", 3), ("slide=99", 8), ("slide=x", 1), ("start=debt", 4), ("start=debt&slide=2", 2), ("", 1)],
)
def test_the_slide_comes_from_the_url(seed, search, expected):
    slides = briefing.deck(seed, "").slides
    assert present.slide_number(parse_query(search), slides) == expected


def test_briefing_mode_renders_every_slide_and_keeps_the_view_for_exit_and_exports(seed):
    page = present.layout(seed, "year=2023&unit=亿元&slide=4&theme=contrast")
    assert "contrast" in page.className and page.to_plotly_json()["props"]["data-slide"] == "4"
    deck, bar = (next(c for c in page.children if c.className == name) for name in ("deck", "present-bar"))
    slides = deck.children
    assert len(slides) == 8 and "active" in slides[3].className
    assert slides[3].to_plotly_json()["props"]["data-back"] == "/debt?year=2023&unit=%E4%BA%BF%E5%85%83"
    links = [a.href for a in bar.children[-1].children]
    assert links[0] == "/export/slides.pptx?year=2023&unit=%E4%BA%BF%E5%85%83"


def test_each_chart_is_described_by_its_sentences(seed):
    page = transfers.layout(seed, "year=2023")
    found = {}

    def walk(component):
        props = component.to_plotly_json()["props"] if hasattr(component, "to_plotly_json") else {}
        if "aria-describedby" in props:
            found[props["aria-describedby"]] = props.get("role")
        children = props.get("children")
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str | int | float):
                walk(child)

    walk(page)
    assert found == {ids.caption(ids.TRANSFERS_BARS): "figure", ids.caption(ids.TRANSFERS_WATERFALL): "figure"}
    caption = transfers.view(seed, ViewState.of("transfers", 2023, REGION))["bars_caption"]  # the sentences the callback puts in that caption
    assert texts(caption).startswith("2023年转移支付预算1722万元")


def test_a_section_without_data_is_left_out_of_the_deck_with_a_line_on_the_cover(tmp_path):
    shutil.copy(DATA / "debt.csv", tmp_path)  # debt only: no transfers, no evaluations, no notes
    the_deck = briefing.deck(load_folder(tmp_path), "year=2022")
    assert [s.section for s in the_deck.slides] == ["总览", "政府债务", "政府债务"]
    cover = the_deck.slides[0].sentences
    assert cover[-1].startswith("本演示未包含：") and "转移支付" in cover[-1] and "绩效评价" in cover[-1]
    assert sum("暂无转移支付数据" in s for s in cover) == 1  # said once, not as an empty slide too


def test_the_trend_and_the_region_comparison_have_slides_where_the_data_has_them():
    multi = load_folder(Path(__file__).resolve().parent / "fixtures" / "multi")
    titles = [s.title for s in briefing.deck(multi, "year=2023").slides]
    for expected in ("2023年各地区预算数对比", "示例区甲历年预算数", "示例区甲历年年末债务余额", "2023年各地区评价等级分布"):
        assert expected in titles, titles
    seed_titles = [s.title for s in briefing.deck(load_folder(DATA), "year=2023").slides]
    assert not any("历年" in t or "各地区" in t for t in seed_titles)  # one year, one region: nothing to compare


@pytest.mark.parametrize(
    ("search", "deck_year", "shows"),
    [
        # The seed is the 2023 budget explanation: transfers of 2023, debt and evaluations of 2022.
        ("start=overview", 2023, "2023年转移支付预算1722万元"),
        ("start=transfers&year=2023", 2023, "2023年转移支付预算1722万元"),
        ("start=debt&year=2022", 2023, "2023年转移支付预算1722万元"),
        ("start=performance&year=2022&grade=良", 2023, "2023年转移支付预算1722万元"),
        ("start=overview&year=2022", 2022, None),  # the overview's year is the deck's: no transfers yet
    ],
)
def test_a_deck_opened_from_each_page_is_the_deck_of_that_pages_document(seed, search, deck_year, shows):
    the_deck = briefing.deck(seed, search)
    assert the_deck.year == deck_year and briefing.deck_title(seed, search) == the_deck.title
    said = [s for slide in the_deck.slides for s in slide.sentences]
    if shows:
        assert any(s.startswith(shows) for s in said)
        assert not any("暂无转移支付数据" in s for s in said)
    assert the_deck.views["debt"].year == 2022 == the_deck.views["performance"].year
    if "grade=" in search:
        assert the_deck.views["performance"].get("grade") == ("良",)  # the page's filters come along


def test_a_section_page_of_an_earlier_year_opens_that_years_deck():
    multi = load_folder(Path(__file__).resolve().parent / "fixtures" / "multi")  # debt of 2022 and 2023
    the_deck = briefing.deck(multi, "start=debt&year=2022&region=示例区甲")
    assert the_deck.year == 2022 and the_deck.views["debt"].year == 2022
