"""Scale without a browser: the synthetic data generator, the column-wise fast parser, the
Parquet cache of parsed files, partitioned rows and the evaluations list's server paging."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from components import checks, grid_paging, performance
from components.data import SCHEMAS, DataSource, ParsedCache, load_folder, parse_bytes, parse_fast, parse_rows
from components.filters import select
from scripts import make_scale_data

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    make_scale_data.write(folder, make_scale_data.Scale(regions=3, years=2, evaluations=25))
    return folder


# ---------------------------------------------------------------- generator


def test_generated_folder_loads_without_problems_and_has_the_rows_asked_for(synthetic):
    dataset = load_folder(synthetic)
    assert dataset.problems == () and checks.findings(dataset) == []
    # The generator writes every yearly file but 绩效监控's; sources.csv (contract v2) it leaves out.
    monitor = ("targets", "execution")
    expected = {name: "loaded" if schema.yearly and name not in monitor else "missing" for name, schema in SCHEMAS.items()}
    assert {name: state.status for name, state in dataset.files.items()} == expected
    evaluations = dataset.frame("evaluations")
    assert len(evaluations) == 3 * 2 * 25
    assert evaluations.groupby(["year", "region"]).size().eq(25).all()
    assert len(dataset.frame("debt")) == 3 * 2 * 3  # 一般债务, 专项债务, 合计


def test_generated_data_says_it_is_synthetic_everywhere(synthetic):
    dataset = load_folder(synthetic)
    assert {s for name in SCHEMAS for s in dataset.frame(name)["source"].unique()} == {make_scale_data.SOURCE}
    assert "非真实数字" in make_scale_data.SOURCE
    for name in (name for name, schema in SCHEMAS.items() if schema.yearly):
        assert dataset.frame(name)["region"].str.startswith("合成县").all()
    assert "合成数据" in (synthetic / "README.md").read_text(encoding="utf-8")


def test_generator_is_deterministic_and_refuses_data(tmp_path):
    scale = make_scale_data.Scale(regions=2, years=1, evaluations=5)
    make_scale_data.write(tmp_path / "a", scale)
    make_scale_data.write(tmp_path / "b", scale)
    for name in ("evaluations.csv", "transfers.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with pytest.raises(SystemExit):
        make_scale_data.main(["custom", "--out", str(ROOT / "data")])


# ---------------------------------------------------------------- fast parser

HEADER = "年度,地区,类别,项目,预算数,上年执行数,增减额,增减率,单位,说明,来源\n"
CLEAN_FILES = [
    (
        "transfers",
        HEADER + "2023,A,一般性转移支付,,1722,4215,-2493,-59.15,万元,原因,文件\n2023,A,税收返还,,-,—,,,亿元,,\n",
    ),
    ("transfers", "\ufeff" + HEADER + '2023,A,专项转移支付,"x,y"," 1,722.50 ","4,215",,8%,万元,"说明, 带逗号",\n'),
    ("transfers", HEADER + "2023,A,一般性转移支付,,1,2,,,,,\n,,,,,,,,,,\n,,,,,,,,,,\n"),
    ("debt", "年度\t地区\t债务类型\t余额\t平均利率(%)\n2022年\tA\t一般\t4.50\t3.2%\n2022\tA\t专项债券\t１２\t\n"),
    (
        "evaluations",
        'year,REGION,method,target_type,target,amount,score,grade\n2022,A,m,项目,x　,"1,000",,优秀\n2022,A,m,政策, y ,,99,\n',
    ),
    ("grades", "年度,地区,评价方式,等级,数量,备注\n2022,A,m,良好,5,x\n2022,A,m,一般,3,\n"),
    # contract v2: 口径, 无单列限额, 新增限额, 还本付息, printed texts (_p_), 占比 without 数量, 优良
    (
        "debt",
        "年度,地区,债务类型,口径,限额,新增限额,余额,还本付息,平均利率,单位\n"
        "2022,A,一般债务,决算,无单列限额,1.39,4.50,\"1,722.00\",3.20%,亿元\n"
        "2022,A,专项债务,,,—,56.2100,0,,亿元\n2022,A,合计,预计执行,无,,+60.71, 8.63 ,,亿元\n",
    ),
    ("grades", "年度,地区,评价方式,等级,数量,占比\n2022,A,m,优良,,62.5%\n2022,A,m,中,3,37.50\n"),
    ("transfers", HEADER + "2023,A,一般性转移支付,,1.775,5.295,-11.6131,4.50,,,\n"),
    ("notes", '年度,地区,板块,标题,内容\n2022,A,绩效,t,"多行\n内容"\n'),
]
# Clean, but left to the row parser: 预算数 in 亿元 beside 上年执行数 in the default 万元, each
# printed figure written in the row's one unit (3 万元 is 0.0003 亿元, not 3 亿元).
ROW_PARSED = [
    (
        "transfers",
        HEADER.replace("预算数", "预算数(亿元)") + "2023,A,返还性收入,,4.5,3,,,,,\n2023 ,B,合计,,1,,,,亿元,,\n",
    ),
]
BROKEN_FILES = [
    ("transfers", HEADER + "2023,A,一般性转移支付,,五十,,,,,,\n"),
    ("transfers", HEADER + "2023,A,一般性转移支付,,1,,,,,,\n2023,A,一般性转移支付,,2,,,,,,\n"),
    ("debt", "年度,地区,债务类型,余额(亿元),单位\n2022,A,一般债务,4.5,万元\n"),
    ("grades", "年度,地区,评价方式,等级,数量\n2022,A,m,良,2.5\n"),
    ("evaluations", "年度,地区,评价方式,对象类型,评价对象,得分\n2022,A,m,项目,x,120\n"),
    ("debt", "年度,地区,债务类型\n2022,A,隐性债务\n"),
    ("transfers", HEADER + "2023,,一般性转移支付,,1,,,,,,\n"),
]


@pytest.mark.parametrize(("name", "text"), CLEAN_FILES + ROW_PARSED + BROKEN_FILES)
def test_fast_parser_reads_exactly_what_the_row_parser_reads_or_leaves_it_to_it(name, text):
    schema = SCHEMAS[name]
    slow_frame, slow_problems = parse_rows(schema, text)
    fast = parse_fast(schema, text.encode("utf-8"))
    if slow_frame is None:
        assert fast is None  # every error is found and located by the row parser
        return
    if (name, text) in CLEAN_FILES[:-1]:  # all but the cell spanning two lines
        assert fast is not None
    if (name, text) in ROW_PARSED:
        assert fast is None and list(slow_frame["_p_prior_actual"]) == ["0.0003", ""]
    if fast is not None:
        pd.testing.assert_frame_equal(fast[0], slow_frame)
        assert fast[1] == slow_problems


def test_fast_parser_takes_the_usual_clean_file(synthetic):
    data = (synthetic / "evaluations.csv").read_bytes()
    assert parse_fast(SCHEMAS["evaluations"], data) is not None


EVALUATIONS = "年度,地区,评价方式,对象类型,评价对象,涉及金额,得分,等级,单位,说明,来源\n"


def many_batches() -> str:
    """An evaluations file of ~9 KB: quoted cells, printed numbers, 未公布, empty lines and blank
    rows in several places, so that 256-byte batches cut it in all sorts of places."""
    rows = []
    for i in range(120):
        amount = f'"1,{i:03d}.50"' if i % 7 == 0 else ("-" if i % 11 == 0 else f"{i}.{i % 10}")
        score = "" if i % 13 == 0 else f"{60 + i % 40}"
        region = '"县, 北"' if i % 17 == 0 else f"县{i % 3}"
        rows.append(f"{2020 + i % 4},{region},单位自评,项目,对象{i:03d},{amount},{score},,万元, 说明 ,文件\n")
        if i % 23 == 5:
            rows.append("\n" if i % 2 else "\r\n")  # an empty line: every later line number moves
        if i % 31 == 7:
            rows.append(",,,,,,,,,,\n")  # a blank row (Excel's), skipped
    return EVALUATIONS + "".join(rows)


def test_a_file_read_in_many_batches_is_the_frame_the_row_parser_and_one_batch_give():
    schema, text = SCHEMAS["evaluations"], many_batches()
    data = text.encode("utf-8")
    assert len(data) > 30 * 256
    frame, problems = parse_rows(schema, text)
    assert frame is not None and len(frame) == 120
    for block_size in (256, 1000, 1 << 24):
        fast = parse_fast(schema, data, block_size=block_size)
        assert fast is not None, block_size
        pd.testing.assert_frame_equal(fast[0], frame)  # line numbers, blank rows, printed texts
        assert fast[1] == problems


def test_a_key_repeated_in_a_later_batch_is_found_and_reported_on_its_line():
    schema, text = SCHEMAS["evaluations"], many_batches()
    repeated = text.splitlines(keepends=True)[3]  # its key (年度, 地区, 评价方式, 评价对象) is taken
    text += repeated.replace(" 说明 ", "另一说明")
    assert parse_fast(schema, text.encode("utf-8"), block_size=256) is None  # to the row parser
    frame, problems, _encoding = parse_bytes(schema, text.encode("utf-8"))
    last = len(text.splitlines())
    assert frame is None
    assert [(p.line, p.level) for p in problems] == [(last, "error")]
    assert "与第4行重复" in problems[0].message


# ---------------------------------------------------------------- parsed cache


def source_with_cache(folder: Path, cache_dir: Path) -> DataSource:
    return DataSource(folder, cache=ParsedCache(folder, cache_dir))


def test_cached_frames_equal_parsed_frames_and_a_changed_csv_is_parsed_again(synthetic, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for path in synthetic.glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    cache_dir = tmp_path / "cache"
    first = source_with_cache(folder, cache_dir).get()
    assert len(list(cache_dir.glob("*-evaluations-*.parquet"))) == 1
    second = source_with_cache(folder, cache_dir).get()  # a new process: read from the cache
    for name in SCHEMAS:
        pd.testing.assert_frame_equal(second.frame(name), first.frame(name))
    text = (folder / "debt.csv").read_text(encoding="utf-8")
    (folder / "debt.csv").write_text(text.replace("一般债务,", "一般债务,9", 1), encoding="utf-8")
    changed = source_with_cache(folder, cache_dir).get()
    assert not changed.frame("debt")["limit"].equals(first.frame("debt")["limit"])
    assert len(list(cache_dir.glob("*-debt-*.parquet"))) == 1  # the old entry is gone


def test_a_broken_csv_is_reported_never_masked_by_its_cached_version(synthetic, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "debt.csv").write_bytes((synthetic / "debt.csv").read_bytes())
    cache_dir = tmp_path / "cache"
    good = source_with_cache(folder, cache_dir).get()
    assert good.files["debt"].status == "loaded"
    text = (folder / "debt.csv").read_text(encoding="utf-8")
    (folder / "debt.csv").write_text(text.replace("一般债务,", "一般债务,五十", 1), encoding="utf-8")
    restarted = source_with_cache(folder, cache_dir).get()
    assert restarted.files["debt"].status == "stale"  # the last good version, kept on disk, is served
    assert any("五十" in p.message and p.line == 2 for p in restarted.errors)
    pd.testing.assert_frame_equal(restarted.frame("debt"), good.frame("debt"))


def test_an_unwritable_cache_folder_falls_back_to_the_temporary_folder(synthetic, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    cache = ParsedCache(synthetic, blocker / "cache")
    dataset = DataSource(synthetic, cache=cache).get()
    assert dataset.files["evaluations"].status == "loaded" and dataset.problems == ()
    assert cache.directory != blocker / "cache" and list(cache.directory.glob(f"{cache.prefix}-*-good.json"))


def test_with_no_writable_folder_at_all_files_are_simply_parsed_every_time(synthetic, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(blocker))
    dataset = DataSource(synthetic, cache=ParsedCache(synthetic, blocker / "cache")).get()
    assert dataset.files["evaluations"].status == "loaded" and dataset.problems == ()


def test_checking_a_folder_writes_nothing_beside_it(tmp_path, monkeypatch):
    monkeypatch.delenv("DATA_CACHE_DIR", raising=False)
    load_folder(ROOT / "data")
    assert not (ROOT / "data" / ".cache").exists()
    assert os.environ.get("DATA_CACHE_DIR") is None


# ---------------------------------------------------------------- partitioned rows


def test_rows_of_a_year_and_region_are_what_select_gives(synthetic):
    dataset = load_folder(synthetic)
    frame = dataset.frame("evaluations")
    for year, region in [(2017, "合成县002"), (None, "合成县003"), (2016, None), (1999, "合成县001"), (2016, "无")]:
        expected = select(frame, year, region)
        got = dataset.rows("evaluations", year, region)
        pd.testing.assert_frame_equal(got, expected)
    keys = dataset.keys("evaluations")
    assert list(keys["region"].unique()) == ["合成县001", "合成县002", "合成县003"]


# ---------------------------------------------------------------- grid paging


def test_a_page_request_gets_only_that_page_and_the_total(synthetic):
    dataset = load_folder(synthetic)
    view = (2017, "合成县002", None, None, None)
    listed = performance.listed_rows(dataset, *view)
    answer = performance.grid_page(dataset, *view, {"startRow": 20, "endRow": 40, "sortModel": [], "filterModel": {}})
    assert answer["rowCount"] == len(listed) == 25
    assert [r["target"] for r in answer["rowData"]] == list(listed["target"].iloc[20:25])
    huge = performance.grid_page(dataset, *view, {"startRow": 0, "endRow": 10**6})
    assert len(huge["rowData"]) == 25
    assert grid_paging.MAX_PAGE < 10**6


def test_the_grid_sorts_and_filters_on_the_server_as_it_would_itself(synthetic):
    dataset = load_folder(synthetic)
    view = (2017, "合成县002", None, None, None)
    listed = performance.listed_rows(dataset, *view)
    by_score = performance.grid_page(
        dataset, *view, {"startRow": 0, "endRow": 5, "sortModel": [{"colId": "score", "sort": "desc"}]}
    )
    scores = [r["score"] for r in by_score["rowData"]]
    assert scores == sorted(listed["score"].dropna(), reverse=True)[:5]
    high = performance.grid_page(
        dataset,
        *view,
        {
            "startRow": 0,
            "endRow": 50,
            "filterModel": {"score": {"filterType": "number", "type": "greaterThan", "filter": 85}},
        },
    )
    assert high["rowCount"] == int((listed["score"] > 85).sum()) and all(r["score"] > 85 for r in high["rowData"])
    text = performance.grid_page(
        dataset,
        *view,
        {
            "startRow": 0,
            "endRow": 50,
            "filterModel": {"target": {"filterType": "text", "type": "endsWith", "filter": "3"}},
        },
    )
    assert {r["target"][-1] for r in text["rowData"]} == {"3"} and text["rowCount"] == 3
    unstated = performance.grid_page(
        dataset,
        *view,
        {"startRow": 0, "endRow": 50, "filterModel": {"amount": {"filterType": "number", "type": "blank"}}},
    )
    assert unstated["rowCount"] == int(listed["amount"].isna().sum())


# ---------------------------------------------------------------- remembered views


def test_a_remembered_view_is_the_view_and_a_changed_file_is_never_answered_from_memory(tmp_path):
    rows = "".join(f"{year},A,一般债务,{value}\n" for year, value in ((2022, 4.5), (2021, 1), (2020, 2)))
    (tmp_path / "debt.csv").write_text("年度,地区,债务类型,余额\n" + rows, encoding="utf-8")
    source = DataSource(tmp_path, view_cache_size=2)
    calls = []

    def view(dataset, year, types):
        calls.append((year, types))
        return float(dataset.frame("debt").query("year == @year")["balance"].sum())

    first = source.get()
    assert first.cached(view, 2022, ["一般债务"]) == 4.5
    assert first.cached(view, 2022, ["一般债务"]) == 4.5 and len(calls) == 1  # a list is a fine key
    first.cached(view, 2021, None)
    first.cached(view, 2020, None)  # the least recently used view is dropped
    first.cached(view, 2022, ["一般债务"])
    assert len(calls) == 4
    (tmp_path / "debt.csv").write_text("年度,地区,债务类型,余额\n2022,A,一般债务,9\n", encoding="utf-8")
    os.utime(tmp_path / "debt.csv", ns=(1, 1))  # a different signature even within one clock tick
    assert source.get().cached(view, 2022, ["一般债务"]) == 9.0


def test_only_views_of_values_the_data_holds_are_remembered_and_only_up_to_a_size(tmp_path, monkeypatch):
    (tmp_path / "debt.csv").write_text("年度,地区,债务类型,余额\n2022,A,一般债务,4.5\n", encoding="utf-8")
    calls = []

    def view(_dataset, *args):
        calls.append(args)
        return "x" * 500

    dataset = DataSource(tmp_path).get()
    for _ in range(2):
        dataset.cached(view, "万" * 100_000)  # a unit no page offers: answered, never kept
        dataset.cached(view, 2022, "A", ["一般债务", "不存在的类型"])
    assert len(calls) == 4 and len(dataset._views) == 0
    monkeypatch.setenv("VIEW_CACHE_BYTES", "8000")
    small = DataSource(tmp_path).get()
    for unit in ("元", "万元", "亿元"):
        small.cached(view, unit)
    assert len(small._views) == 3
    small.cached(lambda _d, unit: "y" * 1500, "元")  # more than an eighth of the budget: not kept
    assert len(small._views) == 3
    monkeypatch.setenv("VIEW_CACHE_BYTES", "2500")
    tight = DataSource(tmp_path).get()
    for unit in ("元", "万元", "亿元"):
        tight.cached(lambda _d, unit: "z" * 300, unit)
    assert sum(size for _, size in tight._views.values()) <= 2500


def test_no_view_is_remembered_when_the_cache_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("VIEW_CACHE_SIZE", "0")
    dataset = DataSource(tmp_path).get()
    calls = []
    dataset.cached(lambda _d: calls.append(1))
    dataset.cached(lambda _d: calls.append(1))
    assert len(calls) == 2


def test_the_list_pages_in_the_display_unit_and_filters_what_the_viewer_reads(synthetic):
    dataset = load_folder(synthetic)
    view = (2017, "合成县002", None, None, None)
    listed = performance.listed_rows(dataset, *view)
    first = performance.grid_page(dataset, *view, {"startRow": 0, "endRow": 1}, "亿元")["rowData"][0]
    assert first["amount"] == pytest.approx(listed["amount"].iloc[0] / 1e4)
    over = {"amount": {"filterType": "number", "type": "greaterThan", "filter": 0.1}}  # 0.1 亿元 = 1,000 万元
    answer = performance.grid_page(dataset, *view, {"startRow": 0, "endRow": 50, "filterModel": over}, "亿元")
    assert answer["rowCount"] == int((listed["amount"] > 1000).sum())
