"""绩效管理 as one section model: real-shaped cases (the seed, 优良 with 占比, 自评 and 复核 of the same
projects, a selected subset, a score without a grade) and what the page, overview, deck, workbook and
数据检查 preview say about them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest

from components import datacheck, ids, overview, performance
from components.briefing import deck, performance_slides
from components.data import load_folder
from components.sections import performance as section
from components.state import ViewState
from tests.helpers import find_id

REGION = "株洲经开区"
REALDOCS = Path("/work/realdocs")
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def seed():
    return load_folder(DATA)


def texts(component) -> str:
    """All text in a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return "".join(texts(c) for c in component)
    return texts(getattr(component, "children", None))


def folder(tmp_path, **files) -> object:
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_folder(tmp_path)


def annotations(fig) -> str:
    return " ".join(a.text for a in fig.layout.annotations)


# ---------------------------------------------------------------- the seed


def test_the_seed_reads_as_the_document_prints_it(seed):
    m = section.model(seed, 2022, REGION)
    assert m.sentences["grades"][0] == (
        "2022年财政重点评价8个，其中部门整体支出3个、项目支出5个；评价结果等级为良的5个，评价结果等级为中的3个。"
    )
    assert m.sentences["grades"][1] == (
        "开展绩效自评的预算单位数37家，绩效自评覆盖率100%，第三方重点绩效评价涉及财政金额34832.52万元。"
    )
    assert m.summary() == "良 5 个 · 中 3 个"
    assert m.total.text() == "8个" and not m.amount.stated and m.amount_gaps == "文件未逐项公布金额"
    out = performance.view(seed, ViewState.of("performance", 2022, REGION))
    kpis, indicators = texts(out["kpis"]), texts(out["indicators"])
    assert "良 5 个 · 中 3 个" in kpis and "8 个" in kpis and "未公布" in kpis
    assert "37 家" in indicators and "100%" in indicators and "34,832.52 万元" in indicators
    fig = out["grades"]
    assert {t.name: list(t.x) for t in fig.data} == {"良": [5.0], "中": [3.0]}
    assert fig.layout.xaxis.tickformat == ",d"  # whole-number ticks
    cards, _fig, said = overview.performance_cards(seed, 2022, REGION)
    assert "良 5 个 · 中 3 个" in texts(cards) and "8 个" in texts(cards)
    assert said == [m.sentences["grades"][0]]


def test_the_deck_and_the_preview_render_the_same_model(seed):
    grades_slide, types_slide = performance_slides(seed, ViewState.of("performance", 2022, REGION), 2022)
    assert grades_slide.sentences[0].startswith("2022年财政重点评价8个")
    assert types_slide.sentences == ["评价对象中部门整体支出3个、项目支出5个。"]
    assert types_slide.title == "2022年财政重点评价对象类型"  # the method the file names, not a fixed 「重点」
    preview = texts(datacheck.preview_performance(seed, 2022, REGION))
    assert "良 5 个 · 中 3 个" in preview


# ---------------------------------------------------------------- 优良 and 占比


def test_you_liang_with_a_count_and_a_grade_with_only_a_share(tmp_path):
    dataset = folder(
        tmp_path,
        grades="年度,地区,评价方式,等级,数量,占比\n2022,A,财政重点评价,优良,4,\n2022,A,财政重点评价,中,,20%\n",
    )
    m = section.model(dataset, 2022, "A")
    (method,) = m.methods
    assert [g.grade for g in method.grades] == ["优良", "中"]
    assert method.grades[1].count.stated is False  # never a count of 0
    assert m.summary() == "优良 4 个 · 中占20%"
    assert m.sentences["grades"][0] == "2022年财政重点评价中评价结果等级为优良的4个，评价结果等级为中的占20%。"
    assert not m.total.stated  # the parts do not all state a count
    fig = performance.fig_grades(m)
    bars = {t.name: list(t.x) for t in fig.data}
    assert bars["优良"] == [4.0] and bars["中"] == [None]
    note = annotations(fig)
    assert "中占20%" in note and "未列出" not in note and "优、" not in note


def test_shares_only_are_charted_as_shares(tmp_path):
    dataset = folder(
        tmp_path,
        grades="年度,地区,评价方式,等级,占比\n2022,A,财政重点评价,优良,82.5\n2022,A,财政重点评价,中,17.5\n",
    )
    m = section.model(dataset, 2022, "A")
    assert m.value() == "share" and m.summary() == "优良占82.5% · 中占17.5%"
    assert "评价结果等级为优良的占82.5%" in m.sentences["grades"][0]
    assert "0个" not in m.sentences["grades"][0]
    fig = performance.fig_grades(m)
    assert {t.name: list(t.x) for t in fig.data} == {"优良": [82.5], "中": [17.5]}
    assert fig.layout.xaxis.title.text == "占比（%）"
    kpis = texts(performance.make_kpis(m))
    assert "优良占82.5%" in kpis and "0 个" not in kpis and "评价对象未公布" in kpis  # no count: not 0
    sheet = dict(_tables(dataset, "A"))["评价等级分布"]
    assert [f.text() for f in sheet["占比（%）"]] == ["82.5%", "17.5%"]
    assert [f.text() for f in sheet["数量（个）"]] == ["未公布", "未公布"]


def test_a_complete_you_liang_distribution_lists_what_the_file_lists(tmp_path):
    dataset = folder(tmp_path, grades="年度,地区,评价方式,等级,数量\n2022,A,m,优良,5\n2022,A,m,中,3\n")
    fig = performance.fig_grades(section.model(dataset, 2022, "A"))
    note = annotations(fig)
    assert note == "文件列出的等级：优良、中"  # which grades the file lists, not which it leaves out
    assert "优良" in {t.name for t in fig.data}


# ---------------------------------------------------------------- two methods of the same projects


SELF_AND_REVIEW = (
    "年度,地区,评价方式,对象类型,评价对象,涉及金额,得分,等级\n"
    "2022,A,单位自评,项目支出,道路养护,100,95,优\n"
    "2022,A,单位自评,项目支出,污水处理,200,92,优\n"
    "2022,A,单位自评,部门整体支出,区教育局,300,88,良\n"
    "2022,A,财政复核,项目支出,道路养护,100,86,良\n"
    "2022,A,财政复核,项目支出,污水处理,200,75,中\n"
    "2022,A,财政复核,部门整体支出,区教育局,300,84,良\n"
)


def test_self_evaluation_and_review_of_the_same_projects_are_never_added(tmp_path):
    dataset = folder(tmp_path, evaluations=SELF_AND_REVIEW)
    m = section.model(dataset, 2022, "A")
    assert [x.name for x in m.methods] == ["单位自评", "财政复核"]
    assert [x.counted.text() for x in m.methods] == ["3个", "3个"]
    assert not m.total.stated  # no headline total of 6
    assert m.summary() == "单位自评：优 2 个 · 良 1 个；财政复核：良 2 个 · 中 1 个"
    said = m.sentences["grades"][0]
    assert "6个" not in said and "不相加" in said
    assert said.startswith("2022年单位自评3个，其中部门整体支出1个、项目支出2个，涉及金额600万元（逐项加总）")
    cards, fig, _ = overview.performance_cards(dataset, 2022, "A")
    assert "6 个" not in texts(cards) and "单位自评 3 个 · 财政复核 3 个" in texts(cards)
    assert [list(t.y) for t in fig.data][0] == ["单位自评", "财政复核"]  # one bar per method
    sheet = dict(_tables(dataset, "A"))["评价等级分布"]
    assert list(sheet["评价方式"]) == ["单位自评", "单位自评", "财政复核", "财政复核"]


def test_a_selection_is_named_as_the_part_it_is(tmp_path):
    dataset = folder(tmp_path, evaluations=SELF_AND_REVIEW)
    m = section.model(dataset, 2022, "A", ["财政复核"], ["项目支出"])
    assert m.subset == "评价方式为财政复核，对象类型为项目支出"
    said = m.sentences["grades"][0]
    assert said.startswith("2022年财政复核中对象类型为项目支出的2个，涉及金额300万元（逐项加总）；")
    assert "评价结果等级为良的1个，评价结果等级为中的1个" in said
    assert m.amount.text() == "300万元" and m.amount.source == "computed"
    kpis = texts(performance.make_kpis(m))
    assert "评价对象（评价方式为财政复核，对象类型为项目支出）" in kpis and "2 个" in kpis
    assert m.sentences["types"] == ("评价对象（评价方式为财政复核，对象类型为项目支出）中项目支出2个。",)
    assert (
        "（评价方式为财政复核，对象类型为项目支出）"
        in performance_slides(
            dataset, ViewState.of("performance", 2022, "A", method=["财政复核"], target_type=["项目支出"]), 2022
        )[0].title
    )


# ---------------------------------------------------------------- money as printed


def test_money_is_shown_in_its_printed_unit_and_summed_only_when_every_part_is_stated(tmp_path):
    dataset = folder(
        tmp_path,
        evaluations="年度,地区,评价方式,对象类型,评价对象,涉及金额,等级,单位\n"
        "2022,A,财政重点评价,项目支出,x,1.775,良,亿元\n2022,A,财政重点评价,项目支出,y,2.50,中,亿元\n",
    )
    m = section.model(dataset, 2022, "A")
    assert m.unit == "亿元" and m.amount.text() == "4.275亿元" and m.amount.source == "computed"
    assert "涉及金额4.275亿元（逐项加总）" in m.sentences["grades"][0]
    assert section.model(dataset, 2022, "A", unit="万元").amount.text() == "42750万元"
    assert "4.275 亿元" in texts(performance.make_kpis(m))
    (tmp_path / "gap").mkdir()
    gap = folder(
        tmp_path / "gap",
        evaluations="年度,地区,评价方式,对象类型,评价对象,涉及金额,等级\n2022,A,m,项目支出,x,10,良\n2022,A,m,项目支出,y,,中\n",
    )
    g = section.model(gap, 2022, "A")
    assert not g.amount.stated and g.amount_gaps == "1 个评价对象未公布金额"
    assert "涉及金额" not in g.sentences["grades"][0]


def test_the_evaluations_list_shows_money_in_the_unit_its_rows_were_printed_in_unless_one_is_chosen(tmp_path):
    dataset = folder(
        tmp_path,
        evaluations="年度,地区,评价方式,对象类型,评价对象,涉及金额,等级,单位\n"
        "2022,A,财政重点评价,项目支出,x,1.775,良,亿元\n2022,A,财政重点评价,项目支出,y,2.50,中,亿元\n",
    )
    page = {"startRow": 0, "endRow": 20}

    def header(out) -> str:
        return next(c["headerName"] for c in out["grid_columns"] if c["field"] == "amount")

    switch = ids.page_filter("performance", "unit")
    assert find_id(performance.layout(dataset, "?year=2022&region=A"), switch).value == "亿元"
    for unit in (None, "亿元"):  # no unit chosen (or the printed one): the unit the rows were printed in
        out = performance.view(dataset, ViewState.of("performance", 2022, "A", unit))
        assert header(out) == "涉及金额（亿元）" and "unit=" not in out["query"]
        rows = performance.grid_page(dataset, 2022, "A", None, None, None, page, unit)["rowData"]
        assert [r["amount"] for r in rows] == pytest.approx([1.775, 2.5])
        assert [r["amount_text"] for r in rows] == ["1.775", "2.50"]  # shown as printed, not 1.78 and 2.5
    # A unit in the address still wins.
    assert find_id(performance.layout(dataset, "?year=2022&region=A&unit=万元"), switch).value == "万元"
    out = performance.view(dataset, ViewState.of("performance", 2022, "A", "万元"))
    assert header(out) == "涉及金额（万元）" and parse_qs(out["query"])["unit"] == ["万元"]
    rows = performance.grid_page(dataset, 2022, "A", None, None, None, page, "万元")["rowData"]
    assert [r["amount"] for r in rows] == pytest.approx([17750, 25000])
    assert [r["amount_text"] for r in rows] == ["17,750", "25,000"]


def test_a_published_distribution_without_a_list_is_never_said_to_list_none():
    """高新区（江海区）2018: 7 projects, 优良 4 (57%) and 中 3 (43%), none of them named."""
    dataset = load_folder(Path(__file__).parent / "fixtures" / "realdocs" / "jianghai-perf-2018")
    region = "高新区（江海区）"
    m = section.model(dataset, 2018, region)
    assert m.named == 0 and m.summary() == "优良 4 个（占57%） · 中 3 个（占43%）"  # both, as printed
    assert m.sentences["grades"][0] == (
        "2018年财政重点评价7个（按等级加总）；评价结果等级为优良的4个，占57%，评价结果等级为中的3个，占43%。"
    )
    assert m.sentences["types"] == ("数据文件未逐个列出评价对象。",)
    kpis = texts(performance.make_kpis(m))
    assert "评价对象7 个（按等级加总）数据文件未逐个列出评价对象" in kpis and "0 个" not in kpis
    # Its 2298 万元 is an indicator of its own; the sum card says why it has nothing to add, not a bare 未公布.
    assert "评价涉及金额（逐项加总）未公布数据文件未逐个列出评价对象，无从逐项加总" in kpis
    view = performance.view(dataset, ViewState.of("performance", 2018, region))
    assert annotations(view["types"]) == "数据文件未逐个列出评价对象"  # not 「没有符合筛选条件」
    assert texts(view["grid_note"]) == "数据文件未逐个列出评价对象，只公布了等级分布：优良 4 个（占57%） · 中 3 个（占43%）。"
    card = texts(overview.performance_cards(dataset, 2018, region)[0])
    assert "7 个（按等级加总）" in card
    # A method chosen: still no list to be empty.
    chosen = section.model(dataset, 2018, region, methods=["财政重点评价"])
    assert chosen.sentences["types"] == ("数据文件未逐个列出评价对象。",)
    # Every slide names the document, the opening one too (its figures come from grades and indicators).
    slides = deck(dataset, "").slides
    assert {s.source for s in slides} == {"高新区（江海区）预算绩效工作开展情况说明"}
    assert not [s.title for s in slides if "对象类型" in s.title]  # no slide of types for a file that lists none


# ---------------------------------------------------------------- a score without a grade


@pytest.mark.skipif(not (REALDOCS / "nanxian-eval-2020").is_dir(), reason="real document not here")
def test_a_score_without_a_grade_never_becomes_a_grade():
    dataset = load_folder(REALDOCS / "nanxian-eval-2020")
    m = section.model(dataset, 2020, "南县")
    (method,) = m.methods
    assert method.name == "单位自评" and method.grades == () and method.source_file == ""
    said = m.sentences["grades"][0]
    assert said == "2020年单位自评1个，其中部门整体支出1个，得分97分；评价等级未公布。"
    assert "优" not in said and m.summary() == ""
    fig = performance.fig_grades(m)
    assert fig.data == () and annotations(fig) == "评价等级未公布"
    kpis = texts(performance.make_kpis(m))
    assert "评价等级分布未公布" in kpis and "优" not in kpis
    assert "纳入南县财政局部门预算编制范围的单位数3个" in m.sentences["grades"][1]


def _tables(dataset, region):
    from components.exports import view_tables

    return view_tables(dataset, deck(dataset, f"?year=2022&region={region}"))


def test_ids_are_the_page_ones(seed):
    assert set(performance.sentences(section.model(seed, 2022, REGION))) == {ids.PERF_GRADES, ids.PERF_TYPES}


def test_a_printed_total_of_grades_is_the_whole_not_a_grade_of_its_own(tmp_path):
    dataset = folder(
        tmp_path,
        grades="年度,地区,评价方式,等级,数量\n2022,A,财政重点评价,良,5\n2022,A,财政重点评价,中,3\n2022,A,财政重点评价,合计,8\n",
    )
    m = section.model(dataset, 2022, "A")
    assert [g.grade for g in m.grades] == ["良", "中"] and m.summary() == "良 5 个 · 中 3 个"
    assert m.total.text() == "8个" and m.total.source == "printed"  # the document's 合计, as printed
    fig = performance.fig_grades(m)
    assert {t.name for t in fig.data} == {"良", "中"}
    (tmp_path / "b").mkdir()
    wrong = folder(
        tmp_path / "b", grades="年度,地区,评价方式,等级,数量\n2022,A,财政重点评价,良,5\n2022,A,财政重点评价,合计,9\n"
    )
    assert section.model(wrong, 2022, "A").total.text() == "9个"  # shown as printed; checks.py says it disagrees


def test_indicators_are_shown_as_printed_on_cards_sentences_and_the_workbook(tmp_path):
    dataset = folder(
        tmp_path,
        grades="年度,地区,评价方式,等级,数量\n2022,A,财政重点评价,良,5\n",
        indicators="年度,地区,板块,指标,数值,单位\n2022,A,绩效管理,评价涉及资金,1234567.891,元\n"
        "2022,A,绩效管理,自评覆盖率,99.50,%\n",
    )
    rows = dataset.frame("indicators")
    cards = texts(performance.make_indicator_cards(rows))
    assert "1,234,567.891 元" in cards and "99.50%" in cards  # its own unit and decimals, not 123.46 万元
    assert section.indicator_parts(rows, None) == ("评价涉及资金1234567.891元", "自评覆盖率99.50%")
    assert "123.46 万元" in texts(performance.make_indicator_cards(rows, "万元"))  # chosen: converted, half up
    sheet = dict(_tables(dataset, "A"))["绩效指标"]
    assert [f.text() for f in sheet["数值"]] == ["1234567.891元", "99.50%"] and list(sheet["单位"]) == ["元", "%"]
