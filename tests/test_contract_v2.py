"""Contract v2 (../shared/docs/csv-contract.md): 口径, limits stated as absent, new debt columns,
优良 and 占比, sources.csv, title and unit lines, workbooks, printed precision (_p_ columns)."""

from __future__ import annotations

import io
import math
import shutil
import time
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from components import checks, vocab
from components.data import SCHEMAS, Problem, dataset_of, load_bytes, load_folder, parse_fast, parse_rows, xlsx
from components.data.parse import parse_bytes
from components.data.xlsx import number_text

FIXTURES = Path(__file__).parent / "fixtures" / "realdocs"
REALDOCS = Path("/work/realdocs")
TRANSFERS = "年度,地区,类别,项目,预算数,上年执行数,增减额,增减率,单位,说明,来源\n"


def rows(name: str, text: str):
    """The row parser's verdict, checked against the fast path's wherever that one answers."""
    frame, problems = parse_rows(SCHEMAS[name], text)
    fast = parse_fast(SCHEMAS[name], text.encode("utf-8"))
    if fast is not None:
        assert frame is not None and fast[1] == problems
        pd.testing.assert_frame_equal(fast[0], frame)
    return frame, problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]


# ---------------------------------------------------------------- 口径


@pytest.mark.parametrize("name", ["transfers", "debt"])
def test_basis_defaults_to_budget_and_takes_the_five_kinds(name):
    head = "年度,地区,类别,口径,预算数\n" if name == "transfers" else "年度,地区,债务类型,口径,余额\n"
    kind = "一般性转移支付" if name == "transfers" else "一般债务"
    text = head + "".join(f"{2016 + i},A,{kind},{b},1\n" for i, b in enumerate(["", *vocab.BASES, "决算数"]))
    frame, problems = rows(name, text)
    assert problems == []
    assert list(frame["basis"]) == ["预算", *vocab.BASES, "决算"]


def test_an_unknown_basis_is_an_error_naming_the_accepted_ones():
    frame, problems = rows("debt", "年度,地区,债务类型,口径,余额\n2022,A,一般债务,估计,1\n")
    assert frame is None
    (problem,) = problems
    assert (problem.line, problem.column) == (2, "口径")
    assert all(kind in problem.message for kind in vocab.BASES)


def test_a_file_without_basis_reads_as_budget():
    frame, _ = rows("transfers", TRANSFERS + "2023,A,合计,,1722,,,,万元,,\n")
    assert list(frame["basis"]) == ["预算"]


# ---------------------------------------------------------------- 限额, 新增限额, 还本付息


def test_no_limit_of_its_own_is_stated_and_an_empty_limit_is_not_stated():
    text = (
        "年度,地区,债务类型,限额,余额,单位\n"
        "2022,A,一般债务,无单列限额,4.50,亿元\n2022,A,专项债务,无,56.21,亿元\n"
        "2022,A,合计,,60.71,亿元\n2021,A,合计,无单列,1,亿元\n2020,A,合计,213,196.04,亿元\n"
    )
    frame, problems = rows("debt", text)
    assert problems == []
    assert list(frame["no_limit"]) == [True, True, False, True, False]
    assert frame["limit"].isna().tolist() == [True, True, True, True, False]
    assert frame["_p_limit"].tolist() == ["", "", "", "", "213"]


def test_other_text_in_the_limit_is_still_an_error():
    frame, problems = rows("debt", "年度,地区,债务类型,限额\n2022,A,合计,没有\n")
    assert frame is None and (problems[0].line, problems[0].column) == (2, "限额")


def test_new_limit_and_debt_service_are_money_in_the_row_unit():
    text = "年度,地区,债务类型,新增限额,还本付息,单位\n2022,A,合计,5.1049,12.1418,亿元\n"
    frame, problems = rows("debt", text)
    assert problems == []
    assert frame.loc[0, "new_limit"] == pytest.approx(51049) and frame.loc[0, "debt_service"] == pytest.approx(121418)
    assert (frame.loc[0, "_p_new_limit"], frame.loc[0, "_p_debt_service"], frame.loc[0, "unit"]) == (
        "5.1049",
        "12.1418",
        "亿元",
    )
    assert frame.loc[0, "_m_new_limit"] == pytest.approx(0.5)  # 0.00005 亿元 in 万元


def test_the_seed_states_no_limit_of_its_own():
    debt = load_folder(Path(__file__).resolve().parents[1] / "data").frame("debt")
    assert debt["no_limit"].all() and debt["limit"].isna().all()


# ---------------------------------------------------------------- 优良, 占比


def test_grade_you_liang_is_accepted_and_ordered_between_you_and_liang():
    assert vocab.GRADES == ("优", "优良", "良", "中", "差")
    assert vocab.colour_of("优良") not in (vocab.colour_of("优"), vocab.colour_of("良"))
    assert vocab.unlisted_grades(["优良", "中"]) == ["差"]  # 优 and 良 are in 优良
    frame, problems = rows("grades", "年度,地区,评价方式,等级,数量\n2022,A,m,优良,5\n2022,A,m,一般,3\n")
    assert problems == [] and list(frame["grade"]) == ["优良", "中"]
    frame, problems = rows("evaluations", "年度,地区,评价方式,对象类型,评价对象,等级\n2022,A,m,项目,x,优良\n")
    assert problems == [] and list(frame["grade"]) == ["优良"]


def test_a_grade_row_needs_a_count_or_a_share():
    frame, problems = rows("grades", "年度,地区,评价方式,等级,占比\n2022,A,m,良,62.5%\n2022,A,m,中,37.50\n")
    assert problems == []
    assert frame["count"].isna().all() and list(frame["share_pct"]) == [62.5, 37.5]
    assert list(frame["_p_share_pct"]) == ["62.5", "37.50"]
    frame, problems = rows("grades", "年度,地区,评价方式,等级,数量,占比\n2022,A,m,良,5,\n2022,A,m,中,,\n")
    assert frame is None
    (problem,) = errors(problems)
    assert problem.line == 3 and "数量" in problem.message and "占比" in problem.message


def test_a_grades_file_with_neither_column_is_refused_on_its_header():
    frame, problems = rows("grades", "年度,地区,评价方式,等级\n2022,A,m,良\n")
    assert frame is None and problems[0].line == 1 and "数量" in problems[0].message


# ---------------------------------------------------------------- unknown categories


def test_an_unknown_category_loads_as_its_own_with_a_warning_naming_line_and_known_ones():
    text = TRANSFERS + "2020,A,税收返还,,0.75,,,,亿元,,\n2020,A,政府性基金转移收入,,27,458,-431,-94.1,万元,,\n"
    frame, problems = rows("transfers", text)
    assert list(frame["category"]) == ["税收返还", "政府性基金转移收入"]
    (warning,) = problems
    assert (warning.level, warning.line, warning.column) == ("warning", 3, "类别")
    assert all(known in warning.message for known in (*vocab.CATEGORIES, "合计"))


def test_a_synonym_of_a_known_category_is_not_warned_about():
    _, problems = rows("transfers", TRANSFERS + "2020,A,返还性收入,,1,,,,,,\n")
    assert problems == []


# ---------------------------------------------------------------- sources.csv


def test_sources_take_three_date_forms_and_keep_the_printed_text():
    text = (
        "来源,发布机关,发布日期,网址\n"
        "甲文件,某县财政局,2023-01-15,http://example.gov.cn/a\n乙文件,,2023年1月15日,\n丙文件,,2023年1月,\n丁文件,,,\n"
    )
    frame, problems = rows("sources", text)
    assert problems == []
    assert list(frame["published"]) == ["2023-01-15", "2023-01-15", "2023-01", ""]
    assert list(frame["published_text"]) == ["2023-01-15", "2023年1月15日", "2023年1月", ""]
    assert frame.loc[0, "url"] == "http://example.gov.cn/a" and frame.loc[0, "publisher"] == "某县财政局"


@pytest.mark.parametrize("bad", ["2023年13月", "2023-02-30", "去年", "15/01/2023"])
def test_a_date_that_is_not_one_is_an_error_on_its_line(bad):
    frame, problems = rows("sources", f"来源,发布日期\n甲,2023-01-01\n乙,{bad}\n")
    assert frame is None and (problems[0].line, problems[0].column) == (3, "发布日期")


def test_sources_are_loaded_from_the_folder_and_tolerated_by_every_year_based_view(tmp_path):
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", tmp_path / "data")
    dataset = load_folder(tmp_path / "data")
    assert dataset.problems == () and dataset.files["sources"].status == "loaded"
    assert set(dataset.frame("sources")["source"]) == {s for s in dataset.frame("transfers")["source"]} | {
        s for name in ("debt", "grades", "notes") for s in dataset.frame(name)["source"]
    }
    assert dataset.frame("sources")["publisher"].eq("").all()  # the seed does not say who published it
    assert dataset.keys("sources").empty
    assert len(dataset.rows("sources", 2022, "株洲经开区")) == 3
    assert dataset.knows((2022, "株洲经开区"))


def test_a_sources_csv_is_recognised_on_upload_by_name_and_by_header():
    raw = "来源,发布机关,发布日期\n甲文件,某县财政局,2024年2月2日\n".encode()
    assert load_bytes("sources.csv", raw).schema is SCHEMAS["sources"]
    loaded = load_bytes("来源文件.csv", raw)
    assert loaded.schema is SCHEMAS["sources"] and loaded.by_header and loaded.frame is not None


# ---------------------------------------------------------------- title and unit lines


def test_title_and_unit_lines_above_the_header_apply_and_keep_the_file_lines():
    text = (
        "株洲经开区2023年转移支付预算表,,,,,,,,,,\n"
        ",,,,,,,,,,单位：万元\n" + TRANSFERS + "2023,A,合计,,1722,,,,,,\n2023,A,一般性转移支付,,五十,,,,,,\n"
    )
    frame, problems = rows("transfers", text)
    assert frame is None
    (problem,) = problems
    assert (problem.line, problem.column) == (5, "预算数")  # the file's line, title lines counted


def test_a_unit_line_applies_to_every_money_column():
    text = "政府债务表\n金额单位:亿元\n\n年度,地区,债务类型,余额,新增债券,平均利率\n2022,A,合计,60.71,5.44,3.21\n"
    frame, problems = rows("debt", text)
    assert problems == []
    assert frame.loc[0, "balance"] == pytest.approx(607100) and frame.loc[0, "new_bonds"] == pytest.approx(54400)
    assert frame.loc[0, "avg_rate_pct"] == pytest.approx(3.21)  # not money: untouched
    assert (frame.loc[0, "unit"], frame.loc[0, "line"], frame.attrs["title"]) == ("亿元", 5, "政府债务表")


def test_a_unit_line_and_a_header_unit_must_agree():
    agree = "单位：亿元\n年度,地区,债务类型,余额(亿元)\n2022,A,合计,1\n"
    assert rows("debt", agree)[1] == []
    frame, problems = rows("debt", "单位：亿元\n年度,地区,债务类型,余额(万元)\n2022,A,合计,1\n")
    assert frame is None and (problems[0].line, problems[0].column) == (2, "余额")
    frame, problems = rows("debt", "单位：亿元\n年度,地区,债务类型,余额,单位\n2022,A,合计,1,万元\n")
    assert frame is None and problems[0].line == 3


def test_an_unknown_unit_line_is_an_error_on_its_line():
    frame, problems = rows("debt", "标题\n单位：美元\n年度,地区,债务类型,余额\n2022,A,合计,1\n")
    assert frame is None and problems[0].line == 2


def test_without_a_header_naming_the_keys_the_first_line_is_reported():
    frame, problems = rows("debt", "政府债务表\n2022,A,合计,1\n")
    assert frame is None and {p.line for p in problems} == {1}


def test_the_title_is_kept_for_the_folder(tmp_path):
    (tmp_path / "debt.csv").write_text("株洲经开区政府债务表\n单位：亿元\n年度,地区,债务类型,余额\n2022,A,合计,60.71\n")
    dataset = load_folder(tmp_path)
    assert dataset.problems == () and dataset.titles == {"debt": "株洲经开区政府债务表"}
    assert dataset.files["debt"].title == "株洲经开区政府债务表"


# ---------------------------------------------------------------- printed precision


@pytest.mark.parametrize(
    ("cell", "printed"),
    [("1.775", "1.775"), ("5.295", "5.295"), ("11.6131", "11.6131"), ("4.50", "4.50"), ('"1,722.00"', "1722.00"),
     ("-59.15", "-59.15"), ("１７２２", "1722"), ("—", ""), ("", ""), (" +5 ", "5")],
)
def test_printed_text_of_each_number_is_kept_normalised(cell, printed):
    frame, problems = rows("transfers", TRANSFERS + f"2023,A,一般性转移支付,,{cell},,,,,,\n")
    assert problems == [] and frame.loc[0, "_p_budget"] == printed


def test_printed_percent_drops_the_sign():
    frame, _ = rows("transfers", TRANSFERS + "2023,A,一般性转移支付,,1,2,-1,-50.00%,,,\n")
    assert frame.loc[0, "_p_stated_change_pct"] == "-50.00" and frame.loc[0, "_p_prior_actual"] == "2"


# ---------------------------------------------------------------- workbooks


def workbook(rows_: list[list], formats: dict[str, str] | None = None, title: str = "工作表1") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows_:
        sheet.append(row)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_reads_numbers_as_printed_and_formulas_without_cached_values_as_not_stated():
    raw = workbook(
        [
            ["株洲经开区2023年转移支付预算表"],
            ["单位：万元"],
            ["年度", "地区", "类别", "项目", "预算数", "上年执行数", "增减率"],
            [2023, "A", "合计", None, 1722.0, 12396, None],
            [2023, "A", "一般性转移支付", None, 4.5, "=E4", -0.5915],
            [2023, "A", "专项转移支付", None, 1.775, 0.1 + 0.2, None],
        ],
        {"E5": "0.00", "G5": "0.00%", "E6": "0.00"},
    )
    frame, problems, encoding = parse_bytes(SCHEMAS["transfers"], raw, "transfers.xlsx")
    assert problems == [] and encoding == "Excel 工作簿"
    assert list(frame["_p_budget"]) == ["1722", "4.50", "1.78"]  # 0.00 prints 1.775 as 1.78
    # openpyxl writes no cached value for a formula: such a cell reads as not stated (never evaluated).
    assert list(frame["_p_prior_actual"]) == ["12396", "", "0.3"]
    assert math.isnan(frame.loc[1, "prior_actual"])
    assert frame.loc[1, "_p_stated_change_pct"] == "-59.15"
    assert list(frame["line"]) == [4, 5, 6] and frame.attrs["title"] == "株洲经开区2023年转移支付预算表"


def test_a_workbook_is_read_as_its_csv_would_be_with_sheet_rows_as_lines():
    header = ["年度", "地区", "评价方式", "对象类型", "评价对象", "涉及金额", "等级", "说明"]
    body = [[2022, "A", "财政重点评价", "项目支出", f"项目{i}", 10.5, "良"] for i in range(3)]  # 说明 left empty
    raw = workbook([header, body[0], [], body[1], body[2]])  # Excel drops a row's empty end cells
    sheet, data = xlsx.workbook_csv(raw)
    assert data.decode().split("\n")[:3] == [",".join(header), "2022,A,财政重点评价,项目支出,项目0,10.5,良,", ""]
    as_csv = parse_bytes(SCHEMAS["evaluations"], data, "evaluations.csv")[0]
    frame, problems, _ = parse_bytes(SCHEMAS["evaluations"], raw, "evaluations.xlsx")
    assert problems == [] and list(frame["line"]) == [2, 4, 5]  # the sheet's own row numbers
    assert frame.drop(columns=[c for c in frame if c.startswith("_")]).equals(
        as_csv.drop(columns=[c for c in as_csv if c.startswith("_")])
    )
    bad = workbook([header, body[0], [], [2022, "A", "财政重点评价", "项目支出", "项目9", "十元", "良"]])
    _, problems, _ = parse_bytes(SCHEMAS["evaluations"], bad, "evaluations.xlsx")
    assert [(p.sheet, p.line, p.column) for p in problems] == [(sheet, 4, "涉及金额")]
    spanning = workbook([header, [2022, "A", "财政重点评价", "项目支出", "两行\n名称", 1, "良"], [], body[0]])
    assert xlsx.workbook_csv(spanning) is None  # read as records instead, rows still as in the sheet
    assert list(parse_bytes(SCHEMAS["evaluations"], spanning, "evaluations.xlsx")[0]["line"]) == [2, 4]


def test_a_cached_formula_value_is_read_never_the_formula(tmp_path):
    raw = workbook([["年度", "地区", "类别", "预算数"], [2023, "A", "合计", "=1+1"]])
    # Give the formula cell the cached value Excel would have stored beside it.
    import zipfile

    src, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>1722</v>").replace(
                    b"<f>1+1</f></c>", b"<f>1+1</f><v>1722</v></c>"
                )
                assert b"<v>1722</v>" in body
            dst.writestr(item, body)
    frame, problems, _ = parse_bytes(SCHEMAS["transfers"], out.getvalue(), "transfers.xlsx")
    assert problems == [] and list(frame["_p_budget"]) == ["1722"]


def test_a_bad_workbook_cell_names_sheet_row_and_column():
    raw = workbook(
        [["标题"], ["年度", "地区", "类别", "预算数"], [2023, "A", "合计", 1], [], [2023, "A", "税收返还", "五十"]]
    )
    loaded = load_bytes("transfers.xlsx", raw)
    assert loaded.frame is None
    (problem,) = loaded.problems
    assert (problem.file, problem.sheet, problem.line, problem.column) == ("transfers.xlsx", "工作表1", 5, "预算数")
    assert str(problem).startswith("transfers.xlsx 工作表1 第5行 「预算数」列")


def test_number_formats_and_dates():
    assert number_text(4.5, "0.00") == "4.50" and number_text(1722.0, "General") == "1722"
    assert number_text(5.295, "#,##0.00_ ") == "5.30" and number_text(1722.0000000000002, "General") == "1722"
    assert number_text(0.0321, "0.00%") == "3.21%" and number_text(11.6131, "General") == "11.6131"
    raw = workbook([["来源", "发布日期"], ["甲", date(2023, 1, 15)]])
    frame, problems, _ = parse_bytes(SCHEMAS["sources"], raw, "sources.xlsx")
    assert problems == [] and frame.loc[0, "published"] == "2023-01-15"


def test_a_workbook_in_the_folder_loads_and_is_named_in_findings(tmp_path):
    raw = workbook([["年度", "地区", "类别", "预算数"], [2023, "A", "合计", 5], [2023, "A", "税收返还", 1]])
    (tmp_path / "transfers.xlsx").write_bytes(raw)
    dataset = load_folder(tmp_path)
    assert dataset.files["transfers"].status == "loaded" and dataset.files["transfers"].file == "transfers.xlsx"
    assert dataset.names == {"transfers": "transfers.xlsx"}
    assert all(f.file == "transfers.xlsx" for f in checks.findings(dataset))


def test_a_csv_beside_a_workbook_of_the_same_file_loads_neither(tmp_path):
    (tmp_path / "transfers.xlsx").write_bytes(workbook([["年度", "地区", "类别"], [2023, "A", "合计"]]))
    (tmp_path / "transfers.csv").write_text("年度,地区,类别\n2023,A,合计\n", encoding="utf-8")
    dataset = load_folder(tmp_path)
    assert dataset.files["transfers"].status == "rejected" and dataset.frame("transfers").empty
    (problem,) = dataset.errors
    assert "transfers.csv" in problem.message and "transfers.xlsx" in problem.message


@pytest.mark.parametrize("raw", [b"PK\x03\x04broken", b"not a zip at all"])
def test_a_damaged_workbook_is_an_error_not_a_crash(raw):
    loaded = load_bytes("debt.xlsx", raw)
    assert loaded.schema is SCHEMAS["debt"] and loaded.frame is None and "工作簿" in loaded.problems[0].message


def test_a_workbook_is_recognised_by_its_header_on_upload():
    raw = workbook([["年度", "地区", "债务类型", "余额"], [2022, "A", "合计", 60.71]])
    loaded = load_bytes("债务表.xlsx", raw)
    assert loaded.schema is SCHEMAS["debt"] and loaded.by_header and loaded.frame is not None
    assert dataset_of([loaded]).names == {"debt": "债务表.xlsx"}


def test_a_ten_thousand_row_workbook_reads_in_seconds():
    header = ["年度", "地区", "评价方式", "对象类型", "评价对象", "涉及金额", "得分", "等级"]
    raw = workbook([header, *([2023, "A", "单位自评", "项目支出", f"项目{i}", 1234.5 + i, 90, "良"] for i in range(10_000))])
    started = time.perf_counter()
    frame, problems, _ = parse_bytes(SCHEMAS["evaluations"], raw, "evaluations.xlsx")
    assert problems == [] and len(frame) == 10_000
    assert time.perf_counter() - started < 20


# ---------------------------------------------------------------- real documents


@pytest.mark.parametrize("folder", sorted(p for p in FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_real_documents_load_without_errors_or_unknown_columns(folder):
    assert (folder / "SOURCE.md").is_file()
    dataset = load_folder(folder)
    assert dataset.errors == [] and not [w for w in dataset.warnings if "未知列" in w.message]
    assert sum(state.rows for state in dataset.files.values()) > 0  # each holds a document's figures


def test_taijiang_reads_basis_and_printed_zeros():
    debt = load_folder(FIXTURES / "taijiang-debt-2020").frame("debt")
    assert list(debt["basis"]) == ["预计执行", "预计执行", "预计执行", "预算"]
    total = debt[(debt["year"] == 2020) & (debt["debt_type"] == "合计")].iloc[0]
    assert (total["_p_refinancing_bonds"], total["_p_interest_paid"], total["_p_new_limit"]) == ("0.00", "0.10", "2.39")


def test_yongchun_keeps_four_decimals_and_the_combined_debt_service():
    debt = load_folder(FIXTURES / "yongchun-debt-2022").frame("debt")
    total = debt[debt["debt_type"] == "合计"].iloc[0]
    assert (total["_p_debt_service"], total["_p_limit"], total["unit"]) == ("12.1418", "62.7504", "亿元")


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="/work/realdocs is only on the developer's machine")
@pytest.mark.parametrize("name", sorted(p.name for p in REALDOCS.glob("*/") if p.is_dir()) if REALDOCS.is_dir() else [])
def test_every_transcribed_document_loads(name):
    dataset = load_folder(REALDOCS / name)
    assert dataset.errors == [] and not [w for w in dataset.warnings if "未知列" in w.message]
