"""The region comparisons and trends computed by DuckDB from the Parquet entries are the ones
pandas computes from the frames, figure for figure (components/data/query.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from plotly.io.json import to_json_plotly

from components import debt, performance, transfers
from components.data import DataSource, ParsedCache, query
from components.filters import regions_of, years_of
from scripts import make_scale_data

ROOT = Path(__file__).resolve().parent.parent
HEADER = "年度,地区,类别,项目,预算数,上年执行数,增减额,增减率,单位,说明,来源\n"
# Categories summed from their line items, printed in 元, 万元 and 亿元 (exact sums, precision
# of the finest part, a bare 0 lending none), one with an item not stated, one with its own row.
MIXED = HEADER + "".join(
    f"{row},,,,{unit},,合成\n"
    for row, unit in (
        ("2023,甲县,一般性转移支付,项目一,1.005", "亿元"),
        ("2023,甲县,一般性转移支付,项目二,12.5", "万元"),
        ("2023,甲县,一般性转移支付,项目三,125000", "元"),
        ("2023,甲县,专项转移支付,项目四,0", "万元"),
        ("2023,甲县,专项转移支付,项目五,3.333", "万元"),
        ("2023,甲县,税收返还,项目六,7.10", "亿元"),
        ("2023,乙县,一般性转移支付,项目一,", "万元"),
        ("2023,乙县,一般性转移支付,项目二,5", "万元"),
        ("2023,乙县,专项转移支付,,100", "万元"),
        ("2023,乙县,专项转移支付,项目七,60", "万元"),
        ("2024,甲县,一般性转移支付,项目一,2.10", "亿元"),
        ("2024,甲县,一般性转移支付,项目二,0.015", "万元"),
    )
)


@pytest.fixture(autouse=True)
def any_size(monkeypatch):
    """These folders are small: DuckDB is asked for them as for a province's (query.MIN_ROWS)."""
    monkeypatch.setenv("QUERY_DUCKDB_MIN_ROWS", "0")


PICKS = ((transfers, ([], "万元", "")), (debt, ([], "亿元")), (performance, ([],)))


def served(folder: Path, cache: Path):
    """(the snapshot with its Parquet entries, the same snapshot without: the pandas path)."""
    dataset = DataSource(folder, settle=0, cache=ParsedCache(folder, cache), view_cache_size=0).get()
    return dataset, replace(dataset, entries={})


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    make_scale_data.write(folder, make_scale_data.Scale(regions=3, years=2, evaluations=10))
    return folder


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("seed")
    for path in (ROOT / "data").glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return folder


def charts(module, dataset, year, region, *picks) -> str:
    """What the page's comparison and trend cards show, as sent to the browser."""
    return to_json_plotly(module.trend_charts(dataset, year, region, *picks))


def views(dataset):
    """Every year and region of the files a comparison or trend reads, in every money unit."""
    frames = [dataset.frame(name) for name in ("transfers", "debt", "evaluations", "grades")]
    for year in years_of(*frames):
        for region in regions_of(*frames):
            for unit in ("万元", "亿元", "元"):
                yield year, region, unit


@pytest.mark.parametrize("which", ["seed", "synthetic"])
def test_duckdb_draws_every_comparison_and_trend_as_pandas_does(which, request, tmp_path):
    with_duckdb, with_pandas = served(request.getfixturevalue(which), tmp_path / "cache")
    assert {"transfers", "debt", "evaluations"} <= set(with_duckdb.entries)
    assert query.item_sums(with_duckdb, "transfers", "region", "category", "budget", 2023) is not None
    categories = transfers.filter_options(with_duckdb)["category"]
    methods = sorted(set(with_duckdb.frame("evaluations")["method"]))
    debt_types = sorted(set(with_duckdb.frame("debt")["debt_type"]))
    drawn = 0
    for year, region, unit in views(with_duckdb):
        frame = with_pandas.frame("transfers")
        for selected in ([], categories[:1]):
            got = charts(transfers, with_duckdb, year, region, selected, unit, "")
            assert got == charts(transfers, with_pandas, year, region, selected, unit, "")
            compare = to_json_plotly(transfers.region_compare(with_duckdb, year, selected, unit))
            assert compare == to_json_plotly(transfers.fig_region_compare(frame, year, selected, unit))
            trend = to_json_plotly(transfers.region_trend(with_duckdb, region, selected, unit))
            assert trend == to_json_plotly(transfers.fig_trend(frame, region, selected, unit))
            drawn += (got + compare + trend).count('"type":"bar"')
        frame = with_pandas.frame("debt")
        for selected in ([], debt_types[:1]):
            got = charts(debt, with_duckdb, year, region, selected, unit)
            assert got == charts(debt, with_pandas, year, region, selected, unit)
            compare = to_json_plotly(debt.region_compare(with_duckdb, year, selected, unit))
            assert compare == to_json_plotly(debt.fig_region_compare(frame, year, selected, unit))
            trend = debt.region_trend(with_duckdb, region, selected, unit)  # None: fewer than two years
            expected = debt.fig_trend(frame, region, selected, unit) if trend is not None else None
            assert to_json_plotly(trend) == to_json_plotly(expected)
            drawn += (got + compare).count('"type":"bar"')
        for chosen in ([], methods[:1]):
            got = charts(performance, with_duckdb, year, region, chosen)
            assert got == charts(performance, with_pandas, year, region, chosen)
            for figure in (performance.fig_trend, performance.fig_region_compare):
                by = region if figure is performance.fig_trend else year
                shown = to_json_plotly(figure(with_duckdb, by, chosen))
                assert shown == to_json_plotly(figure(with_pandas, by, chosen))
                drawn += shown.count('"type":"bar"')
    assert drawn  # the data has several regions or years: charts were drawn, not just both empty


def test_exact_sums_of_items_printed_in_several_units(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "transfers.csv").write_text(MIXED, encoding="utf-8")
    with_duckdb, with_pandas = served(tmp_path / "data", tmp_path / "cache")
    for by, year, region in (("region", 2023, None), ("year", None, "甲县"), ("year", None, "乙县")):
        for unit in ("万元", "亿元", "元"):
            got = transfers.budgets_of(with_duckdb, by, year, region, unit)
            assert got.to_dict("records") == transfers.budgets_of(with_pandas, by, year, region, unit).to_dict("records")
    assert query.item_sums(with_duckdb, "transfers", "region", "category", "budget", 2023) is not None
    compare = transfers.budgets_of(with_duckdb, "region", 2023, None, "万元").set_index(["region", "category"])["figure"]
    general = compare[("甲县", "一般性转移支付")]  # 1.005 亿元 + 12.5 万元 + 125000 元
    assert (general.value, general.text(), general.source) == (Decimal("10075.0"), "10075.00万元", "computed")
    special = compare[("甲县", "专项转移支付")]  # 0 + 3.333: the bare 0 lends no precision
    assert special.text() == "3.333万元"
    assert compare[("甲县", "税收返还")].text() == "71000万元"  # one item: as printed, then converted
    assert compare[("乙县", "一般性转移支付")].text() == "未公布"  # an item not stated: no partial sum
    assert compare[("乙县", "专项转移支付")].text() == "100万元"  # its own row, not 100 + 60


def test_small_items_in_a_larger_unit_are_summed_with_the_decimals_they_are_shown_with(tmp_path):
    # 30 万元 would read 0.00 亿元, so it is shown 0.0030 (theme.shown_in); a sum of two is then
    # 0.0060 亿元 as pandas makes it from the items, not 0.01 from their sum rounded.
    (tmp_path / "data").mkdir()
    rows = ("2023,甲县,专项转移支付,项目一,30", "2023,甲县,专项转移支付,项目二,30", "2023,乙县,专项转移支付,项目三,5000")
    (tmp_path / "data" / "transfers.csv").write_text(HEADER + "".join(f"{r},,,,万元,,合成\n" for r in rows), encoding="utf-8")
    with_duckdb, with_pandas = served(tmp_path / "data", tmp_path / "cache")
    got = transfers.budgets_of(with_duckdb, "region", 2023, None, "亿元")
    assert got.to_dict("records") == transfers.budgets_of(with_pandas, "region", 2023, None, "亿元").to_dict("records")
    assert [f.text() for f in got["figure"]] == ["0.0060亿元", "0.50亿元"]


def test_without_an_entry_the_frame_answers(tmp_path, seed, monkeypatch):
    with_duckdb, _ = served(seed, tmp_path / "cache")
    unwritable = DataSource(seed, settle=0, cache=ParsedCache(seed, enabled=False), view_cache_size=0).get()
    assert unwritable.entries == {}
    assert query.rows(unwritable, "debt", ["year"]) is None
    expected = charts(transfers, with_duckdb, 2023, "株洲经开区", [], "亿元", "")
    assert charts(transfers, unwritable, 2023, "株洲经开区", [], "亿元", "") == expected
    path = Path(with_duckdb.entries["debt"][0])
    path.write_bytes(path.read_bytes() + b"\0")  # the entry changed since the snapshot was composed
    assert query.rows(with_duckdb, "debt", ["year"]) is None
    monkeypatch.setenv("QUERY_DUCKDB", "0")
    assert query.item_sums(with_duckdb, "transfers", "region", "category", "budget", 2023) is None


def test_a_small_data_set_is_answered_from_its_frames(tmp_path, synthetic, monkeypatch):
    monkeypatch.delenv("QUERY_DUCKDB_MIN_ROWS")
    dataset, _ = served(synthetic, tmp_path / "cache")
    assert dataset.entries and query.entry(dataset, "transfers") is None
    monkeypatch.setenv("QUERY_DUCKDB_MIN_ROWS", "100")
    assert query.entry(dataset, "transfers") is not None


def test_a_failing_duckdb_is_answered_by_pandas(tmp_path, synthetic, monkeypatch):
    with_duckdb, with_pandas = served(synthetic, tmp_path / "cache")
    year, region = years_of(with_pandas.frame("transfers"))[0], regions_of(with_pandas.frame("transfers"))[0]
    expected = [charts(module, with_pandas, year, region, *picks) for module, picks in PICKS]

    def broken():
        raise RuntimeError("out of memory")

    monkeypatch.setattr(query, "_connection", broken)
    assert [charts(module, with_duckdb, year, region, *picks) for module, picks in PICKS] == expected


def test_serving_the_app_imports_no_duckdb_until_a_view_asks(tmp_path):
    script = "import sys, app\napp.create_app(sys.argv[1])\nprint('duckdb' in sys.modules)"
    env = {**os.environ, "DATA_CACHE_DIR": str(tmp_path)}
    command = [sys.executable, "-c", script, str(ROOT / "data")]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr[-2000:]  # gunicorn's master forks no DuckDB


def test_a_region_change_reuses_the_comparison(tmp_path, synthetic, monkeypatch):
    dataset = DataSource(synthetic, settle=0, cache=ParsedCache(synthetic, tmp_path / "cache"), view_cache_size=64).get()
    asked = []
    real = transfers.budgets_of
    monkeypatch.setattr(transfers, "budgets_of", lambda d, by, *a, **k: asked.append(by) or real(d, by, *a, **k))
    year, regions = years_of(dataset.frame("transfers"))[0], regions_of(dataset.frame("transfers"))
    first = transfers.trend_charts(dataset, year, regions[0], [], "万元")
    second = transfers.trend_charts(dataset, year, regions[1], [], "万元")
    assert asked == ["region", "year", "year"]  # the comparison once, a trend per region
    assert first[0][1] is second[0][1] and first[1][1] != second[1][1]
