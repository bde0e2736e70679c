"""Trusting the numbers, without a browser: which card a finding marks, the 数据核验 panel and
footer of each page, and the 数据检查 report on files given as bytes."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from components import datacheck, debt, ids, overview, page_end, performance, transfers, trust
from components.checks import Finding
from components.data import load_folder
from components.plotdict import Fig
from components.state import ViewState

DATA = Path(__file__).resolve().parents[1] / "data"
REGION = "株洲经开区"
VIEW_2023 = f"year=2023&region={REGION}"


def text_of(component) -> str:
    """Every string in a component tree, as the browser would get it (JSON)."""
    return json.dumps(
        component.to_plotly_json() if hasattr(component, "to_plotly_json") else component,
        ensure_ascii=False,
        default=lambda c: c.to_plotly_json() if hasattr(c, "to_plotly_json") else c.item(),  # numpy numbers in figures
    )


@pytest.fixture
def inconsistent(tmp_path):
    """The seed with a 合计 of 1,822 万元 over categories that add up to 1,722, and a 上年执行数 of
    12,396 万元 printed beside it (so its 增减额 -10,674 disagrees with 1,822 − 12,396 too)."""
    for source in DATA.glob("*.csv"):
        shutil.copy(source, tmp_path / source.name)
    path = tmp_path / "transfers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",合计,,1722,,", ",合计,,1822,12396,"), encoding="utf-8")
    return load_folder(tmp_path)


# ---------------------------------------------------------------- markers


def test_a_finding_marks_the_cards_and_charts_showing_its_figures(inconsistent):
    marks = trust.marked(inconsistent, "transfers", VIEW_2023)
    assert set(marks) == {ids.TRANSFERS_KPI_BUDGET, ids.TRANSFERS_BARS, ids.TRANSFERS_KPI_CHANGE}
    assert [f.column for f in marks[ids.TRANSFERS_KPI_BUDGET]] == ["预算数"]
    assert [f.column for f in marks[ids.TRANSFERS_KPI_CHANGE]] == ["增减额"]


@pytest.mark.parametrize(
    "page,query",
    [
        ("transfers", f"year=2022&region={REGION}"),  # another year
        ("transfers", "year=2023&region=石峰区"),  # another region
        ("transfers", f"{VIEW_2023}&category=税收返还"),  # the stated 合计 is not on screen
        ("debt", f"year=2022&region={REGION}"),  # another section
        ("overview", "year=2022&region=" + REGION),  # the overview's 2022 has no transfers
    ],
)
def test_a_view_without_the_rows_of_a_finding_is_not_marked(inconsistent, page, query):
    assert trust.marked(inconsistent, page, query) == {}


def test_the_overview_marks_the_section_figure_it_shows(inconsistent):
    # 2024 selected: the transfers card shows 2023, the latest up to it, so 2023's finding is marked.
    for query in (VIEW_2023, f"year=2024&region={REGION}"):
        assert set(trust.marked(inconsistent, "overview", query)) == {
            ids.OVERVIEW_KPI_TRANSFERS,
            ids.OVERVIEW_TRANSFERS_GRAPH,
        }


@pytest.mark.parametrize(
    "about,targets",
    [
        (dict(section="transfers", kind="total", column="上年执行数", subject="合计"), (ids.TRANSFERS_BARS,)),
        (dict(section="transfers", kind="items", column="预算数", subject="税收返还"), (ids.TRANSFERS_BARS,)),
        (dict(section="transfers", kind="change", column="增减率", subject="税收返还"), (ids.TRANSFERS_WATERFALL,)),
        (dict(section="debt", kind="total", column="付息", subject="合计"), (ids.DEBT_KPI_SERVICE, ids.DEBT_FLOWS)),
        (
            dict(section="debt", kind="total", column="余额", subject="合计"),
            (ids.DEBT_KPI_BALANCE, ids.DEBT_COMPOSITION),
        ),
        (dict(section="debt", kind="limit", column="余额", subject="一般债务"), (ids.DEBT_KPI_LIMIT,)),
        (
            dict(section="performance", kind="grades", column="数量", subject="良"),
            (ids.PERF_KPI_GRADES, ids.PERF_GRADES),
        ),
    ],
)
def test_each_kind_of_finding_marks_the_card_or_chart_of_its_figure(about, targets):
    assert trust.targets(Finding("f.csv", "m", 2, **about)) == targets


def marker_places(*trees) -> set[str]:
    """The targets of the marker placeholders in component trees."""
    found = set()

    def walk(node):
        if isinstance(node, dict):  # a view's outputs, by name
            node = list(node.values())
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif hasattr(node, "to_plotly_json"):
            node_id = getattr(node, "id", None)
            if isinstance(node_id, dict) and node_id.get("role") == "finding-marker":
                found.add(node_id["target"])
            walk(getattr(node, "children", None))

    walk(list(trees))
    return found


def test_every_card_and_chart_a_finding_can_mark_has_a_place_for_the_marker():
    # A card or chart renamed or rebuilt without its id would leave its findings unmarked, silently.
    seed = load_folder(DATA)
    kinds = (
        [
            dict(section="transfers", kind=k, column=c, subject=s)
            for k, c, s in [
                ("total", "预算数", "合计"),
                ("total", "上年执行数", "合计"),
                ("items", "预算数", "x"),
                ("change", "增减额", "合计"),
                ("change", "增减额", "x"),
            ]
        ]
        + [dict(section="debt", kind="total", column=c) for c in trust.DEBT_TARGETS]
        + [
            dict(section="debt", kind="limit", column="余额"),
            dict(section="performance", kind="grades", column="数量"),
        ]
    )
    wanted: dict[str, set[str]] = {"overview": {t for ts in trust.OVERVIEW_TARGETS.values() for t in ts}}
    for about in kinds:
        wanted.setdefault(about["section"], set()).update(trust.targets(Finding("f.csv", "m", 1, **about)))
    rendered = {
        "transfers": (transfers.layout(seed, ""), transfers.view(seed, ViewState.of("transfers", 2023, REGION))),
        "debt": (debt.layout(seed, ""), debt.view(seed, ViewState.of("debt", 2022, REGION))),
        "performance": (performance.layout(seed, ""), performance.view(seed, ViewState.of("performance", 2022, REGION))),
        "overview": (overview.layout(seed, ""), overview.view(seed, ViewState.of("overview", 2023, REGION))),
    }
    for page, trees in rendered.items():
        assert wanted[page] <= marker_places(*trees), page


# ---------------------------------------------------------------- the 数据核验 panel and the footer


def test_the_panel_lists_the_pages_findings_with_file_and_lines(inconsistent):
    panel = text_of(page_end.make_findings_panel(inconsistent, "transfers"))
    assert "发现 2 处数字不一致" in panel and "transfers.csv" in panel and "2、3、4、6" in panel
    assert "未发现数字不一致" in text_of(page_end.make_findings_panel(inconsistent, "debt"))
    assert "发现 2 处" in text_of(page_end.make_findings_panel(inconsistent, "overview"))


def test_each_page_footer_names_its_own_source_documents():
    seed = load_folder(DATA)
    debt_footer = text_of(page_end.make_footer(seed, "debt"))
    assert "数据文件修改时间：" in debt_footer and "二、举借政府债务情况" in debt_footer
    assert "一、税收返还和转移支付情况" not in debt_footer
    assert "三、预算绩效管理工作开展情况" in text_of(page_end.make_footer(seed, "performance"))
    overview = text_of(page_end.make_footer(seed, "overview"))
    assert all(part in overview for part in ("一、税收返还", "二、举借政府债务", "三、预算绩效管理"))


def test_the_footer_of_a_page_without_files_says_so(tmp_path):
    assert "数据文件修改时间：无数据文件" in text_of(page_end.make_footer(load_folder(tmp_path), "debt"))


# ---------------------------------------------------------------- 数据检查


def sent(name: str, raw: bytes, **extra) -> dict:
    """One file as the browser sends it."""
    return {
        "name": name,
        "size": len(raw),
        "contents": "data:text/csv;base64," + base64.b64encode(raw).decode(),
        **extra,
    }


def test_a_good_file_is_reported_loadable_and_previewed_with_the_pages_own_figures():
    out = text_of(datacheck.report([sent("transfers.csv", (DATA / "transfers.csv").read_bytes())]))
    assert "可以载入：5 行，编码 UTF-8" in out and "没有发现问题" in out
    assert ids.check_preview("transfers-bars") in out and "1,722 万元" in out


def test_every_error_is_listed_with_line_and_column_and_nothing_is_previewed():
    raw = "年度,地区,类别,预算数\n2023,A,税收返还,x\n2023,A,专项转移支付,y\n".encode("gbk")
    out = text_of(datacheck.report([sent("转移支付.csv", raw)]))
    assert "放进数据文件夹时请命名为 transfers.csv" in out and "有 2 处错误：放进数据文件夹也不会载入" in out
    assert out.count("预算数") >= 2 and '"2"' in out and '"3"' in out
    assert ids.check_preview("transfers-bars") not in out


def test_files_uploaded_together_are_checked_against_each_other_under_their_own_names():
    evaluations = "年度,地区,评价方式,对象类型,评价对象,等级\n2022,A,m,项目,x,良\n".encode()
    grades = "年度,地区,评价方式,等级,数量\n2022,A,m,良,2\n".encode()
    out = text_of(datacheck.report([sent("评价.csv", evaluations), sent("等级.csv", grades)]))
    assert "等级为良的评价数为 2 个，而评价.csv 中有 1 个" in out


@pytest.mark.parametrize(
    "item,says",
    [
        (sent("debt.csv", b"1" * (datacheck.MAX_FILE_BYTES + 1)), "超过 10 MB"),  # the browser let it through
        ({"name": "debt.csv", "size": 11 * 1024 * 1024, "skipped": "size"}, "11.0 MB"),
        ({"name": "debt.csv", "size": 5, "skipped": "total"}, "合计超过 30 MB"),
        ({"name": "debt.csv", "contents": "data:text/csv;base64,@@@"}, "不完整"),
        ({"name": "debt.csv", "contents": "<script>"}, "不完整"),
        ("debt.csv", "不完整"),
        (sent("报表.xls", b"\xd0\xcf\x11\xe0..."), "不是 CSV 文件"),  # .xlsx is read since contract v2
    ],
)
def test_what_cannot_be_checked_is_refused_with_a_reason(item, says):
    out = text_of(datacheck.report([item]))
    assert says in out and "check-file" in out


@pytest.mark.parametrize(
    "items,refusals,says",
    [
        ([None, "x", 3, [], {}], 5, "上传的数据不完整"),
        ([{"name": 1}, {"name": "a.csv", "size": "big"}, {"name": "a.csv", "contents": 5}], 3, "上传的数据不完整"),
        ([{"name": "a.csv", "contents": "data:;base64,", "size": None}], 1, "无法判断是哪一种数据"),
        ({"name": "a.csv"}, 0, ""),
        ("files", 0, ""),
    ],
)
def test_whatever_a_client_sends_is_answered_file_by_file(items, refusals, says):
    out = datacheck.report(items)  # raises nothing: a callback error would leave the page silent
    assert len(out) == refusals and all(says in text_of(alert) for alert in out)


def test_the_server_checks_no_more_files_than_the_page_allows_however_many_are_sent():
    raw = (DATA / "debt.csv").read_bytes()
    out = text_of(datacheck.report([sent(f"{i}.csv", raw) for i in range(datacheck.MAX_FILES + 3)]))
    assert out.count(f"一次最多检查 {datacheck.MAX_FILES} 个文件") == 3


def test_a_file_over_the_limit_is_refused_before_it_is_decoded(monkeypatch):
    def never(*_args, **_kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(datacheck.base64, "b64decode", never)
    name, raw, why = datacheck.read_upload(sent("debt.csv", b"1" * (datacheck.MAX_FILE_BYTES + 3)))
    assert raw is None and "超过 10 MB" in why


def test_a_second_file_of_the_same_kind_is_named_and_not_previewed():
    raw = (DATA / "debt.csv").read_bytes()
    out = text_of(datacheck.report([sent("debt.csv", raw), sent("债务 (1).csv", raw)]))
    assert "与 debt.csv 是同一种数据，预览只用 debt.csv" in out


# ---------------------------------------------------------------- CSV text never becomes markup in a chart

TAG = "<img src=x onerror=alert(1)>"


def strings(node):
    """Every string inside a figure's JSON."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from strings(value)


def test_no_chart_of_any_page_carries_a_tag_from_a_csv_cell(tmp_path):
    files = {
        "transfers.csv": "年度,地区,类别,项目,预算数,上年执行数,说明\n"
        f"2023,{TAG},{TAG},,10,,{TAG}\n2023,{TAG},{TAG},{TAG},10,,\n2023,乙,税收返还,,1,2,\n2022,{TAG},{TAG},,5,6,\n",
        "debt.csv": f"年度,地区,债务类型,余额,说明\n2022,{TAG},一般债务,1,{TAG}\n2022,乙,专项债务,2,\n2021,{TAG},一般债务,1,\n",
        "evaluations.csv": "年度,地区,评价方式,对象类型,评价对象,涉及金额,等级\n"
        f"2022,{TAG},{TAG},{TAG},{TAG},1,良\n2022,乙,m,项目,x,,\n2021,{TAG},{TAG},{TAG},y,,中\n",
        "grades.csv": f"年度,地区,评价方式,等级,数量\n2022,{TAG},{TAG},良,3\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    dataset = load_folder(tmp_path)
    assert dataset.errors == []
    figures = [
        *transfers.view(dataset, ViewState.of("transfers", 2023, TAG)).values(),
        *transfers.view(dataset, ViewState.of("transfers", 2023, TAG, category=[TAG])).values(),
        *debt.view(dataset, ViewState.of("debt", 2022, TAG)).values(),
        *performance.view(dataset, ViewState.of("performance", 2022, TAG)).values(),
        *overview.view(dataset, ViewState.of("overview", 2023, TAG)).values(),
    ]
    charts = [f for f in figures if isinstance(f, Fig)]
    charts += [c.figure for c in walk_graphs(figures)]
    assert len(charts) >= 10
    for chart in charts:
        for text in strings(chart):
            assert "<img" not in text, text


def walk_graphs(node):
    """dcc.Graph components inside component trees (comparison and trend charts)."""
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from walk_graphs(child)
    elif type(node).__name__ == "Graph":
        yield node
    elif hasattr(node, "to_plotly_json"):
        yield from walk_graphs(getattr(node, "children", None))


def test_the_footer_names_each_source_with_its_publisher_and_date_as_sources_csv_gives_them(tmp_path):
    (tmp_path / "debt.csv").write_text(
        "年度,地区,债务类型,余额,来源\n2022,A,合计,4.5,甲县2023年预算说明\n2022,A,一般债务,4.5,乙县公告\n", encoding="utf-8"
    )
    (tmp_path / "sources.csv").write_text(
        "来源,发布机关,发布日期\n甲县2023年预算说明,甲县财政局,2023年1月15日\n", encoding="utf-8"
    )
    footer = text_of(page_end.make_footer(load_folder(tmp_path), "debt"))
    assert "甲县2023年预算说明（甲县财政局，2023年1月15日发布）" in footer
    assert "乙县公告" in footer and "乙县公告（" not in footer  # nothing is said that the files do not state
    assert "数据文件修改时间：" in footer
