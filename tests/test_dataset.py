"""Every rule of the CSV contract, each with a case that must be rejected or flagged."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest

from components.data import (
    SCHEMAS,
    DataSource,
    load_bytes,
    load_folder,
    parse_bytes,
    parse_number,
    parse_text,
    parse_year,
)
from tests.helpers import eventually

HEADER = "年度,地区,类别,项目,预算数,上年执行数,增减额,增减率,单位,说明,来源\n"


def transfers(body: str, header: str = HEADER):
    return parse_text(SCHEMAS["transfers"], header + body)


def errors(problems):
    return [p for p in problems if p.level == "error"]


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_every_supported_encoding_reads_the_same_figures(tmp_path, encoding):
    write(tmp_path, "transfers.csv", HEADER + '2023,株洲经开区,一般性转移支付,,"1,722",4215,,,,减少,文件\n', encoding)
    dataset = load_folder(tmp_path)
    frame = dataset.frame("transfers")
    assert frame.loc[0, "region"] == "株洲经开区"
    assert frame.loc[0, "budget"] == 1722
    assert dataset.files["transfers"].status == "loaded"


def test_utf16_is_rejected_with_a_hint(tmp_path):
    write(tmp_path, "transfers.csv", HEADER, "utf-16")
    dataset = load_folder(tmp_path)
    assert dataset.files["transfers"].status == "rejected"
    assert "UTF-16" in str(dataset.errors[0]) and "transfers.csv" in str(dataset.errors[0])


def test_undecodable_bytes_are_rejected(tmp_path):
    (tmp_path / "debt.csv").write_bytes(b"\xff\xfe\xfd\x81\x30" * 20)
    dataset = load_folder(tmp_path)
    assert dataset.files["debt"].status == "rejected"
    assert dataset.frame("debt").empty


# ---------------------------------------------------------------- header


def test_english_aliases_any_case_any_order_and_spaces():
    header = " Source , BUDGET,category,Region , year ,unit\n"
    frame, problems = transfers("文件,100,税收返还,A区,2023,万元\n", header)
    assert errors(problems) == []
    assert frame.loc[0, "budget"] == 100 and frame.loc[0, "item"] == ""


def test_unknown_column_is_a_warning_not_an_error():
    frame, problems = transfers("2023,A,税收返还,,1,2,,,,,,x\n", HEADER.strip() + ",备注\n")
    assert frame is not None
    assert [p.level for p in problems] == ["warning"] and "备注" in problems[0].message


def test_missing_required_column_names_it():
    frame, problems = transfers("A,税收返还\n", "地区,类别\n")
    assert frame is None
    assert any(p.column == "年度" and p.line == 1 for p in problems)


def test_column_given_twice_is_an_error():
    frame, problems = transfers("2023,2023,A,税收返还\n", "年度,year,地区,类别\n")
    assert frame is None and "两次" in problems[0].message


# ---------------------------------------------------------------- units


def test_units_from_the_unit_column_are_normalised_to_wan():
    frame, _ = transfers(
        "2023,A,税收返还,,17220000,,,,元,,\n2023,B,税收返还,,0.1722,,,,亿元,,\n2023,C,税收返还,,1722,,,,,,\n"
    )
    assert list(frame["budget"]) == pytest.approx([1722, 1722, 1722])


@pytest.mark.parametrize("header_unit", ["(亿元)", "（亿元）", " ( 亿元 ) "])
def test_unit_in_the_header_half_or_full_width(header_unit):
    header = f"年度,地区,债务类型,余额{header_unit}\n"
    frame, problems = parse_text(SCHEMAS["debt"], header + "2022,A,一般债务,4.50\n")
    assert errors(problems) == []
    assert frame.loc[0, "balance"] == pytest.approx(45000)


def test_money_columns_in_different_units_are_each_read_in_their_own():
    # 晋城市城区2022: balances in 亿元 beside interest in 万元; a column without a unit is in 万元.
    # Each printed text was read in the row's one unit: 6.6116 万元, 2326 亿元.
    text = "年度,地区,债务类型,余额(亿元),付息(万元),还本,新增债券\n2022,A,一般债务,6.6116,2326,0,1.5\n"
    frame, problems = parse_text(SCHEMAS["debt"], text)
    assert errors(problems) == []
    row = frame.iloc[0]
    assert [row[a] for a in ("balance", "interest_paid", "principal_repaid", "new_bonds")] == pytest.approx([66116, 2326, 0, 1.5])
    assert row["unit"] == "亿元"  # the largest: every other converts into it exactly
    assert [row[f"_p_{a}"] for a in ("balance", "interest_paid", "principal_repaid", "new_bonds")] == [
        "6.6116",
        "0.2326",
        "0",
        "0.00015",
    ]


def test_row_unit_disagreeing_with_header_unit_is_an_error():
    frame, problems = parse_text(SCHEMAS["debt"], "年度,地区,债务类型,余额(亿元),单位\n2022,A,一般债务,4.5,万元\n")
    assert frame is None
    assert problems[0].line == 2 and problems[0].column == "单位"


def test_unknown_unit_is_an_error():
    frame, problems = transfers("2023,A,税收返还,,1,,,,美元,,\n")
    assert frame is None and problems[0].column == "单位" and "美元" in problems[0].message


def test_non_money_headers_accept_their_natural_unit_only():
    ok, problems = parse_text(SCHEMAS["debt"], "年度,地区,债务类型,平均利率(%),平均期限(年)\n2022,A,专项,3.21,16\n")
    assert errors(problems) == [] and ok.loc[0, "avg_rate_pct"] == 3.21
    bad, problems = parse_text(SCHEMAS["debt"], "年度,地区,债务类型,平均期限(月)\n2022,A,专项,16\n")
    assert bad is None and "月" in problems[0].message


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text,value",
    [
        ("1722", 1722),
        ("1,722", 1722),
        ("1，722", 1722),
        (" 1722.50 ", 1722.5),
        ("-59.15", -59.15),
        ("+3", 3),
        ("１７２２", 1722),
        ("−5", -5),
    ],
)
def test_numbers_excel_writes(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", " ", "-", "—", "——", "－", "/", "／"])
def test_missing_marks_mean_not_stated_never_zero(text):
    assert parse_number(text) is None
    frame, _ = transfers(f"2023,A,税收返还,,{text},0,,,,,\n")
    assert math.isnan(frame.loc[0, "budget"]) and frame.loc[0, "prior_actual"] == 0


@pytest.mark.parametrize("text", ["abc", "1,72,2", "1.2E+03", "12元", "(1,722)", "1,5"])
def test_other_text_in_a_number_column_is_an_error(text):
    frame, problems = transfers(f'2023,A,税收返还,,"{text}",,,,,,\n')
    assert frame is None
    assert problems[0].line == 2 and problems[0].column == "预算数"
    assert "transfers.csv 第2行 「预算数」列" in str(problems[0])


def test_percent_sign_only_in_percentage_columns():
    frame, problems = transfers("2023,A,一般性转移支付,,1722,4215,-2493,-59.15%,,,\n")
    assert frame.loc[0, "stated_change_pct"] == -59.15
    frame, problems = transfers("2023,A,一般性转移支付,,1722%,,,,,,\n")
    assert frame is None and "百分号" in problems[0].message


def test_scientific_notation_explains_the_excel_cause():
    with pytest.raises(ValueError, match="科学计数法"):
        parse_number("1.2E+11")


# ---------------------------------------------------------------- years, keys, synonyms


@pytest.mark.parametrize("text,year", [("2023", 2023), ("2023年", 2023), (" 2023年度 ", 2023)])
def test_years(text, year):
    assert parse_year(text) == year


def test_bad_year_is_an_error():
    frame, problems = transfers("23年,A,税收返还,,1,,,,,,\n")
    assert frame is None and problems[0].column == "年度"


def test_empty_key_cell_is_an_error_but_item_may_be_empty():
    frame, problems = transfers("2023,,税收返还,,1,,,,,,\n")
    assert frame is None and problems[0].column == "地区" and "不能为空" in problems[0].message


def test_synonyms_map_to_canonical_names():
    frame, _ = transfers("2023,A,返还性收入,,1,,,,,,\n")
    assert frame.loc[0, "category"] == "税收返还"
    debt, _ = parse_text(SCHEMAS["debt"], "年度,地区,债务类型\n2022,A,一般\n2022,A,专项\n")
    assert list(debt["debt_type"]) == ["一般债务", "专项债务"]
    grades, _ = parse_text(SCHEMAS["grades"], "年度,地区,评价方式,等级,数量\n2022,A,m,优秀,1\n2022,A,m,一般,2\n")
    assert list(grades["grade"]) == ["优", "中"]


def test_unknown_debt_type_and_grade_are_errors():
    debt, problems = parse_text(SCHEMAS["debt"], "年度,地区,债务类型\n2022,A,隐性债务\n")
    assert debt is None and problems[0].column == "债务类型"
    grades, problems = parse_text(SCHEMAS["grades"], "年度,地区,评价方式,等级,数量\n2022,A,m,A+,1\n")
    assert grades is None and problems[0].column == "等级"


def test_duplicate_key_reported_on_later_line_naming_the_earlier():
    frame, problems = transfers("2023,A,税收返还,,1,,,,,,\n2023,A,返还性收入,,2,,,,,,\n")
    assert frame is None
    assert problems[0].line == 3 and "第2行" in problems[0].message


def test_same_category_with_different_items_is_not_a_duplicate():
    frame, problems = transfers("2023,A,一般性转移支付,,1,,,,,,\n2023,A,一般性转移支付,其他,1,,,,,,\n")
    assert errors(problems) == [] and len(frame) == 2


def test_line_numbers_count_quoted_multiline_cells():
    frame, problems = transfers('2023,A,税收返还,,1,,,,,"第一行\n第二行",\n2023,A,专项转移支付,,x,,,,,,\n')
    assert problems[0].line == 4


def test_counts_must_be_whole_and_scores_in_range():
    _, problems = parse_text(SCHEMAS["grades"], "年度,地区,评价方式,等级,数量\n2022,A,m,良,2.5\n")
    assert "整数" in problems[0].message
    _, problems = parse_text(SCHEMAS["evaluations"], "年度,地区,评价方式,对象类型,评价对象,得分\n2022,A,m,项目,x,120\n")
    assert problems[0].column == "得分"


def test_indicator_units_are_free_text_and_money_is_held_in_wan_but_keeps_its_printed_unit():
    text = "年度,地区,指标,数值,单位\n2022,A,单位数,37,家\n2022,A,覆盖率,100%,\n2022,A,金额,3.48,亿元\n"
    frame, problems = parse_text(SCHEMAS["indicators"], text)
    assert errors(problems) == []
    assert list(frame["unit"]) == ["家", "%", "亿元"]  # said as printed
    assert frame.loc[2, "value"] == pytest.approx(34800)  # held in 万元, like every amount
    assert list(frame["section"]) == ["绩效管理"] * 3


def test_blank_and_trailing_excel_rows_are_ignored():
    frame, problems = transfers("2023,A,税收返还,,1,,,,,,\n,,,,,,,,,,\n\n")
    assert errors(problems) == [] and len(frame) == 1


def test_row_with_more_cells_than_the_header_is_an_error():
    frame, problems = transfers("2023,A,税收返还,,1,722,,,,,,extra\n")
    assert frame is None and problems[0].line == 2


# ---------------------------------------------------------------- folder


def test_a_file_with_an_error_is_left_out_and_the_others_still_load(tmp_path):
    write(tmp_path, "transfers.csv", HEADER + "2023,A,税收返还,,abc,,,,,,\n")
    write(tmp_path, "debt.csv", "年度,地区,债务类型,余额\n2022,A,一般债务,4.5\n")
    dataset = load_folder(tmp_path)
    assert dataset.files["transfers"].status == "rejected" and dataset.frame("transfers").empty
    assert dataset.files["debt"].status == "loaded" and len(dataset.frame("debt")) == 1
    assert dataset.files["grades"].status == "missing"


def test_file_names_match_case_insensitively(tmp_path):
    write(tmp_path, "DEBT.CSV", "年度,地区,债务类型,余额\n2022,A,一般债务,4.5\n")
    assert len(load_folder(tmp_path).frame("debt")) == 1


def test_a_changed_file_reloads_and_a_broken_one_keeps_the_last_good(tmp_path):
    path = write(tmp_path, "debt.csv", "年度,地区,债务类型,余额\n2022,A,一般债务,4.5\n")
    source = DataSource(tmp_path, settle=0)
    assert source.get().frame("debt").loc[0, "balance"] == 4.5
    assert source.get() is source.get()  # unchanged files are not read again
    path.write_text("年度,地区,债务类型,余额\n2022,A,一般债务,5.5,\n2023,A,一般债务,6\n", encoding="utf-8")
    assert list(source.get().frame("debt")["balance"]) == [5.5, 6]
    path.write_text("年度,地区,债务类型,余额\n2022,A,一般债务,oops\n", encoding="utf-8")
    dataset = source.get()
    assert list(dataset.frame("debt")["balance"]) == [5.5, 6]
    assert dataset.files["debt"].status == "stale" and dataset.errors[0].line == 2


def test_frames_handed_out_cannot_change_the_shared_snapshot(tmp_path):
    write(tmp_path, "debt.csv", "年度,地区,债务类型,余额\n2022,A,一般债务,4.5\n")
    dataset = load_folder(tmp_path)
    frame = dataset.frame("debt")
    frame.loc[0, "balance"] = 0
    assert dataset.frame("debt").loc[0, "balance"] == 4.5


def test_seed_data_loads_without_problems():
    dataset = load_folder(Path(__file__).resolve().parents[1] / "data")
    assert dataset.problems == ()
    monitor = {"targets", "execution", "thresholds"}  # the seed prints no 绩效目标 or monthly execution
    assert all(state.status == "loaded" for name, state in dataset.files.items() if name not in monitor)
    assert all(dataset.files[name].status == "missing" for name in monitor)
    assert all(frame["source"].ne("").all() for frame in dataset.frames.values())


def test_header_problems_are_reported_on_the_header_line_after_blank_lines():
    frame, problems = transfers("2023,A,税收返还\n", "\n\n地区,类别\n")
    assert frame is None and problems[0].line == 3 and problems[0].column == "年度"


# ---------------------------------------------------------------- live updates: never half a file

DEBT = "年度,地区,债务类型,余额\n2022,A,一般债务,{}\n"


class Clock:
    """A clock the test moves; files get modification times on the same scale."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def write_at(folder: Path, name: str, text: str, moment: float) -> Path:
    """Replace the file whole, already dated `moment`: a watcher thread never reads it half-written
    or with a fresh date (settle=0 here would take either at once)."""
    part = write(folder, f".{name}.part", text)
    os.utime(part, (moment, moment))
    return part.replace(folder / name)


def balances(source: DataSource) -> list[float]:
    return list(source.get().frame("debt")["balance"])


def test_a_file_written_moments_ago_waits_until_it_has_been_still(tmp_path):
    clock = Clock()
    write_at(tmp_path, "debt.csv", DEBT.format(4.5), clock.now - 60)
    source = DataSource(tmp_path, settle=1.0, clock=clock, sleep=clock.sleep)
    before = source.get()
    assert balances(source) == [4.5]

    write_at(tmp_path, "debt.csv", DEBT.format(5.5), clock.now - 0.2)  # being saved right now
    assert balances(source) == [4.5]
    assert source.get().version == before.version  # viewers are not told of a change yet
    clock.now += 1.0
    assert balances(source) == [5.5]
    assert source.get().version != before.version
    assert clock.slept == []  # a request never waits for a file that is already in service


def test_a_file_that_grows_while_it_is_read_is_not_served(tmp_path, monkeypatch):
    clock = Clock()
    path = write_at(tmp_path, "debt.csv", DEBT.format(4.5), clock.now - 60)
    source = DataSource(tmp_path, settle=1.0, clock=clock, sleep=clock.sleep)
    assert balances(source) == [4.5]

    # A writer whose file looks settled (an old time, as some copy tools set) but is still growing.
    half = DEBT.format(5.5) + "2023,A,一般债务,"
    write_at(tmp_path, "debt.csv", half, clock.now - 60)
    read_bytes = Path.read_bytes

    def read_then_grow(self):
        raw = read_bytes(self)
        if self == path:
            with open(path, "a", encoding="utf-8") as f:
                f.write("6\n")
            os.utime(path, (clock.now - 60, clock.now - 60))
        return raw

    monkeypatch.setattr(Path, "read_bytes", read_then_grow)
    dataset = source.get()
    assert list(dataset.frame("debt")["balance"]) == [4.5]
    assert dataset.problems == ()  # the half-read version was not even reported
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert balances(source) == [5.5, 6]


def test_a_file_replaced_by_delete_and_rename_never_shows_as_missing(tmp_path):
    clock = Clock()
    path = write_at(tmp_path, "debt.csv", DEBT.format(4.5), clock.now - 60)
    source = DataSource(tmp_path, settle=1.0, clock=clock, sleep=clock.sleep)
    assert balances(source) == [4.5]
    path.unlink()  # Excel saves by writing a temporary file, deleting, renaming
    assert balances(source) == [4.5] and source.get().files["debt"].status == "loaded"
    clock.now += 1.0
    assert source.get().files["debt"].status == "missing" and balances(source) == []


def test_a_file_seen_first_while_young_is_waited_for(tmp_path):
    clock = Clock()
    write_at(tmp_path, "debt.csv", DEBT.format(4.5), clock.now - 0.25)
    source = DataSource(tmp_path, settle=1.0, clock=clock, sleep=clock.sleep)
    assert balances(source) == [4.5]
    assert clock.slept == [pytest.approx(0.75)]



def test_a_worker_nobody_asks_still_sees_each_good_version_before_a_broken_one(tmp_path):
    write_at(tmp_path, "debt.csv", DEBT.format(4.5), 1_000_000)
    asked, idle = DataSource(tmp_path, settle=0, watch=0.05), DataSource(tmp_path, settle=0, watch=0.05)
    assert balances(asked) == balances(idle) == [4.5]
    write_at(tmp_path, "debt.csv", DEBT.format(5.5), 1_000_100)
    assert eventually(lambda: balances(asked) == [5.5])  # requests never read files: the watcher does
    time.sleep(0.5)  # the idle worker gets no request meanwhile
    write_at(tmp_path, "debt.csv", DEBT.format("oops"), 1_000_200)
    assert eventually(lambda: asked.get().files["debt"].status == idle.get().files["debt"].status == "stale")
    assert balances(asked) == balances(idle) == [5.5]  # not 4.5: the last good version is the same


def test_every_worker_reaches_the_same_version(tmp_path):
    write_at(tmp_path, "debt.csv", DEBT.format(4.5), 1_000_000)
    first, second = DataSource(tmp_path), DataSource(tmp_path)
    assert first.get().version == second.get().version != ""
    write_at(tmp_path, "debt.csv", DEBT.format(5.5) + "\n", 1_000_100)
    assert first.get().version == second.get().version != load_folder(tmp_path / "x").version


# ---------------------------------------------------------------- files given as bytes (数据检查)


def test_bytes_are_validated_like_a_file_and_problems_name_the_uploaded_file():
    loaded = load_bytes("C:\\报表\\2024年 transfers.csv", (HEADER + "2023,A,税收返还,,x,,,,,,\n").encode("gbk"))
    assert loaded.name == "2024年 transfers.csv"
    assert loaded.schema is SCHEMAS["transfers"] and loaded.by_header
    assert loaded.frame is None
    (problem,) = loaded.problems
    assert (problem.file, problem.line, problem.column) == ("2024年 transfers.csv", 2, "预算数")


@pytest.mark.parametrize(
    "name,raw,says",
    [
        ("预算.xls", b"\xd0\xcf\x11\xe0rest", "不是 CSV 文件或 .xlsx 工作簿"),
        ("预算.xlsx", b"PK\x03\x04rest", "不是有效的 .xlsx 工作簿"),  # read since contract v2; this one is damaged
        ("transfers.csv", b"\xd0\xcf\x11\xe0rest", "旧版 Excel"),
        ("其他.csv", "名称,金额\n甲,1\n".encode(), "无法判断是哪一种数据"),
    ],
)
def test_bytes_that_are_not_a_contract_csv_are_refused_clearly(name, raw, says):
    loaded = load_bytes(name, raw)
    assert loaded.schema is None and loaded.frame is None
    assert says in loaded.problems[0].message and loaded.problems[0].file == name


def test_a_header_that_fits_one_file_only_names_its_kind():
    raw = "年度,地区,评价方式,等级,数量\n2022,A,m,良,3\n".encode()
    assert load_bytes("等级.csv", raw).schema is SCHEMAS["grades"]
    assert load_bytes("grades.csv", raw).by_header is False


@pytest.mark.parametrize(
    "raw,line",
    [
        ("年度,地区,类别\n2023,A,税收返还\n".encode("utf-16"), 1),
        (b"\xe5\xb9\xb4,a\n2023,\x00\n", 2),
        ("年度,地区,类别\n2023,A,税收返还\n2023,B,".encode() + b"\xff\xfe\xfa\n", 3),
    ],
    ids=["utf-16", "nul", "undecodable"],
)
def test_an_undecodable_file_is_reported_on_the_line_of_the_bad_byte(raw, line):
    frame, problems, _ = parse_bytes(SCHEMAS["transfers"], raw)
    assert frame is None and problems[0].line == line


def test_a_quote_that_never_closes_is_an_error_not_a_swallowed_rest_of_file():
    # Read leniently, the rest of the file vanished into one cell without a word.
    frame, problems = transfers('2023,A,税收返还,,1,,,,,"说明\n2023,A,专项转移支付,,2,,,,,,\n')
    assert frame is None
    assert problems[0].line == 2 and "引号" in problems[0].message


def test_text_after_a_closing_quote_is_read_as_excel_reads_it():
    frame, problems = transfers('2023,A,税收返还,,"1,722" ,,,,,,\n')
    assert errors(problems) == [] and frame.loc[0, "budget"] == 1722


def test_a_giant_cell_is_an_error_on_its_line():
    frame, problems = transfers("2023,A,税收返还,,1,,,,,,\n2023,A,专项转移支付,,2,,,,," + "长" * 200_000 + ",\n")
    assert frame is None and problems[0].line == 3


def test_messages_quote_a_long_cell_only_in_part():
    frame, problems = transfers("2023,A,税收返还,," + "9" * 30 + "x" * 5000 + ",,,,,,\n")
    assert frame is None and len(problems[0].message) < 200 and "共 5030 个字符" in problems[0].message
