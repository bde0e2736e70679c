"""绩效监控 (issue 13): the loader rules of targets.csv and execution.csv, 执行率 / 序时进度 /
目标完成度 / grade bands, thresholds, checks, the example folder, the deck and the workbook."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from components import checks, monitor
from components.data import SCHEMAS, load_folder, parse_text
from components.sections import monitor as mm
from components.sections import monitor_text
from components.state import from_url

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "monitor"
T_HEAD = "年度,地区,预算单位,项目,一级指标,二级指标,三级指标,指标方向,目标值,实际值,计量单位,分值,得分,偏差原因,来源\n"
E_HEAD = "年度,地区,预算单位,项目,月份,全年预算数,累计支出,单位,来源\n"


def targets(body: str):
    return parse_text(SCHEMAS["targets"], T_HEAD + body)


def execution(body: str):
    return parse_text(SCHEMAS["execution"], E_HEAD + body)


def folder(tmp_path, targets_body="", execution_body="", thresholds=None):
    if targets_body:
        (tmp_path / "targets.csv").write_text(T_HEAD + targets_body, encoding="utf-8")
    if execution_body:
        (tmp_path / "execution.csv").write_text(E_HEAD + execution_body, encoding="utf-8")
    if thresholds:
        (tmp_path / "thresholds.csv").write_text(thresholds, encoding="utf-8")
    return load_folder(tmp_path)


# ---------------------------------------------------------------- loader


def test_targets_accept_synonyms_and_keep_qualitative_values_as_text():
    frame, problems = targets(
        "2022,A区,甲局,,产出,数量指标,完成数,>=,50,48,个,10,8,人员调整,文件\n"
        "2022,A区,甲局,,效益指标,社会效益指标,影响,定性指标,效果明显,达成预期指标,,10,10,,文件\n"
    )
    assert [p for p in problems if p.level == "error"] == []
    assert list(frame["level1"]) == ["产出指标", "效益指标"]
    assert list(frame["level2"]) == ["数量", "社会效益"]
    assert list(frame["direction"]) == ["≥", "定性"]
    assert frame["target"].iloc[1] == "效果明显"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("2022,A区,甲局,,产出指标,数量,完成数,≥,五十,48,个,10,8,,\n", "目标值"),
        ("2022,A区,甲局,,产出指标,数量,完成数,≥,50,很多,个,10,8,,\n", "实际值"),
        ("2022,A区,甲局,,产出指标,数量,完成数,,50,48,个,10,8,,\n", "指标方向"),
        ("2022,A区,甲局,,产出指标,数量,完成数,>,50,48,个,10,8,,\n", "指标方向"),
        ("2022,A区,甲局,,投入指标,数量,完成数,≥,50,48,个,10,8,,\n", "一级指标"),
        ("2022,A区,甲局,,产出指标,数量,完成数,≥,50,48,个,10,120,,\n", "得分"),
    ],
)
def test_a_bad_target_row_is_an_error_on_its_line_and_column(row, column):
    frame, problems = targets(row)
    assert frame is None
    assert [(p.line, p.column) for p in problems if p.level == "error"] == [(2, column)]


def test_a_missing_actual_is_not_an_error_and_stays_empty():
    frame, problems = targets("2022,A区,甲局,,产出指标,数量,完成数,≥,50,-,个,10,,,\n")
    assert frame is not None and frame["actual"].iloc[0] == ""  # "-": not stated
    assert mm.quantity(frame["actual"].iloc[0]) is None


def test_execution_month_is_1_to_12_and_money_keeps_its_unit():
    frame, problems = execution('2023,A区,甲局,,6,1000,432,万元,x\n2023,A区,乙局,,6,"250,000.00",1000,元,x\n')
    assert problems == [] and list(frame["month"]) == [6, 6]
    assert frame["budget"].iloc[1] == pytest.approx(25.0)  # held in 万元
    frame, problems = execution("2023,A区,甲局,,13,1000,432,万元,x\n")
    assert frame is None and problems[0].column == "月份"


def test_execution_duplicate_month_and_gbk_and_xlsx_follow_the_contract(tmp_path):
    frame, problems = execution("2023,A区,甲局,,6,1000,432,,x\n2023,A区,甲局,,6,1000,433,,x\n")
    assert frame is None and problems[0].line == 3 and "重复" in problems[0].message
    (tmp_path / "execution.csv").write_bytes((E_HEAD + "2023,A区,甲局,,6,1000,432,,x\n").encode("gbk"))
    assert load_folder(tmp_path).files["execution"].status == "loaded"
    (tmp_path / "execution.csv").unlink()
    wb = openpyxl.Workbook()
    wb.active.append(E_HEAD.strip().split(","))
    wb.active.append([2023, "A区", "甲局", None, 6, 1000, 432, "万元", "x"])
    wb.save(tmp_path / "execution.xlsx")
    dataset = load_folder(tmp_path)
    assert dataset.files["execution"].status == "loaded" and dataset.frame("execution")["spent"].iloc[0] == 432


# ---------------------------------------------------------------- computations


@pytest.mark.parametrize(
    ("direction", "target", "actual", "status"),
    [
        ("≥", "50", "50", mm.MET),
        ("≥", "50", "49.9", mm.MISSED),
        ("≤", "90", "132.9", mm.MISSED),
        ("≤", "202.6", "132.9", mm.MET),
        ("=", "100%", "100", mm.MET),
        ("=", "8", "7", mm.MISSED),
        ("≥", "50", "", mm.NOT_FILLED),
        ("≥", "50", "—", mm.NOT_FILLED),
        ("定性", "效果明显", "达成预期指标", mm.QUALITATIVE),
    ],
)
def test_an_indicator_is_met_in_its_direction(direction, target, actual, status):
    assert mm.judged(direction, mm.quantity(target), mm.quantity(actual)) == status


@pytest.mark.parametrize(
    ("score", "grade"),
    [("90", "优"), ("89.99", "良"), ("80", "良"), ("79.9", "中"), ("60", "中"), ("59.99", "差"), ("98.62", "优")],
)
def test_grades_follow_the_90_80_60_bands(score, grade):
    assert mm.grade_of(Decimal(score)) == grade


def test_rate_schedule_and_thresholds(tmp_path):
    dataset = folder(
        tmp_path,
        execution_body=(
            "2023,A区,慢局,,6,1000,280,,x\n"  # 28.0%: 22 points behind 50.0% → red
            "2023,A区,稍慢局,,6,1000,385,,x\n"  # 38.5%: 11.5 behind → yellow
            "2023,A区,正常局,,6,1000,450,,x\n"  # 45.0%: 5 behind → none
        ),
    )
    m = mm.model(dataset, 2023, "A区", 6)
    by = {p.agency: p for p in m.units}
    assert by["慢局"].rate.text() == "28.0%" and by["慢局"].schedule.text() == "50.0%"
    assert by["慢局"].rate.source == "computed"
    assert [by[a].level for a in ("慢局", "稍慢局", "正常局")] == ["红色预警", "黄色预警", ""]
    assert m.total.rate.text() == "37.2%"  # 1115 ÷ 3000 = 37.1666… → 37.2 四舍五入
    said = monitor_text.execution(m)
    assert said[0] == "截至6月末，A区预算执行率37.2%（计算值），低于序时进度12.8个百分点（序时进度50.0%）。"
    assert "1个执行率低于序时进度20个百分点以上（慢局）" in said[1]
    # thresholds from the URL; 0 < yellow <= red
    m = mm.model(dataset, 2023, "A区", 6, yellow=Decimal(4), red=Decimal(12))
    assert [p.level for p in m.units] == ["红色预警", "黄色预警", "黄色预警"]


def test_thresholds_come_from_the_file_and_the_url_overrides(tmp_path):
    dataset = folder(
        tmp_path, execution_body="2023,A区,甲局,,6,1000,280,,x\n", thresholds="预警级别,低于序时进度\n黄色,5\n红色,15\n"
    )
    assert monitor.thresholds(dataset)[:2] == (Decimal(5), Decimal(15))
    assert monitor.thresholds(dataset, "8", None)[:2] == (Decimal(8), Decimal(15))
    y, r, notices = monitor.thresholds(dataset, "abc", "30")
    assert (y, r) == (Decimal(5), Decimal(30)) and "abc" in notices[0]


def test_completion_weights_by_score_and_never_counts_a_missing_actual(tmp_path):
    dataset = folder(
        tmp_path,
        targets_body=(
            "2023,A区,甲局,,产出指标,数量,完成数,≥,10,10,个,30,30,,x\n"
            "2023,A区,甲局,,产出指标,时效,及时率,≥,100,90,%,10,9,设备延期到货,x\n"
            "2023,A区,甲局,,产出指标,质量,合格率,≥,100,,%,20,,,x\n"  # 未填报: neither met nor missed
            "2023,A区,甲局,,效益指标,社会效益,影响,定性,明显,明显,,40,40,,x\n"
        ),
    )
    m = mm.model(dataset, 2023, "A区")
    assert m.completions["甲局"].text() == "75.0%"  # 30 ÷ (30 + 10), by 分值
    statuses = [i.status for i in m.indicators]
    assert statuses == [mm.MET, mm.MISSED, mm.NOT_FILLED, mm.QUALITATIVE]
    alert = next(a for a in m.alerts if a.kind == "绩效目标")
    assert alert.reason == "设备延期到货" and "目标≥100%，实际90%" in alert.gap
    assert m.scored == ()  # one 得分 not stated: no 总分 is made up from the others


def test_a_cut_short_table_gets_no_total_and_a_missing_reason_is_not_invented(tmp_path):
    dataset = folder(tmp_path, targets_body="2023,A区,甲局,项目一,产出指标,数量,完成数,≥,10,9,个,30,27,,x\n")
    m = mm.model(dataset, 2023, "A区")
    assert m.scored == ()  # 分值 add to 30, not 100: no 总分 is made up
    assert m.alerts[0].reason == "未说明"
    assert "文件未说明偏差原因" in " ".join(monitor_text.targets(m))


def test_checks_score_over_weight_falling_spending_and_over_100(tmp_path):
    dataset = folder(
        tmp_path,
        targets_body="2023,A区,甲局,,产出指标,数量,完成数,≥,10,9,个,8,9,,x\n",
        execution_body="2023,A区,甲局,,5,1000,500,,x\n2023,A区,甲局,,6,1000,450,,x\n2023,A区,乙局,,6,100,120,,x\n",
    )
    found = {(f.file, f.line, f.column, f.kind) for f in checks.findings(dataset)}
    assert ("targets.csv", 2, "得分", "score") in found
    assert ("execution.csv", 3, "累计支出", "falling") in found
    assert ("execution.csv", 4, "累计支出", "over") in found


def test_evaluation_results_against_next_years_budget(tmp_path):
    dataset = folder(
        tmp_path,
        targets_body="2022,A区,甲局,好项目,总分,,总分,,,,,100,95,,x\n2022,A区,甲局,差项目,总分,,总分,,,,,100,50,,x\n",
        execution_body=(
            "2022,A区,甲局,好项目,12,100,100,,x\n2023,A区,甲局,好项目,3,120,10,,x\n"
            "2022,A区,甲局,差项目,12,100,100,,x\n2023,A区,甲局,差项目,3,80,10,,x\n"
        ),
    )
    m = mm.model(dataset, 2022, "A区")
    assert [(a.project, a.grade, a.change.text()) for a in m.applied] == [
        ("好项目", "优", "20.0%"),
        ("差项目", "差", "-20.0%"),
    ]
    assert monitor_text.application(m) == [
        "评价为优的1个项目，2023年预算比2022年增加的1个、减少的0个。",
        "评价为差的1个项目，2023年预算比2022年增加的0个、减少的1个。",
    ]


# ---------------------------------------------------------------- the example, the page, the deck


def test_the_example_folder_loads_and_cites_a_source_on_every_row():
    dataset = load_folder(EXAMPLE)
    assert dataset.errors == []
    for name in ("targets", "execution"):
        assert dataset.files[name].status == "loaded"
        assert dataset.frame(name)["source"].ne("").all()
    m = mm.model(dataset, 2022, "上海市普陀区")
    printed = next(s for s in m.scored if s.project == "普陀体育中心与委托运营方结算费用")
    assert (printed.score.text(), printed.score.source, printed.grade) == ("98.62", "printed", "优")
    project = next(p for p in m.progress if p.project == "普陀体育中心与委托运营方结算费用")
    assert project.rate.text() == "86.2%"  # the table prints 86.19%


def test_the_seed_shows_a_clear_empty_state():
    dataset = load_folder(ROOT / "data")
    page = str(monitor.layout(dataset, ""))
    assert "暂无绩效运行监控数据" in page and "targets.csv" in page


def test_the_view_url_carries_month_and_thresholds(tmp_path):
    dataset = folder(tmp_path, execution_body="2023,A区,甲局,,5,1000,300,,x\n2023,A区,甲局,,6,1000,320,,x\n")
    state = monitor.state_of(2023, "A区", None, ["甲局"], 5, 10, "25")
    out = monitor.view(dataset, state)
    assert out["query"] == "year=2023&region=A%E5%8C%BA&agency=%E7%94%B2%E5%B1%80&month=5&yellow=10&red=25"
    # 5月末: 序时进度 41.7%, 执行率 30.0%: 11.7 points behind, over yellow's 10
    assert [(a["level"], a["gap"]) for a in out["alerts"]] == [("黄色预警", "执行率30.0%，低于序时进度11.7个百分点")]


def test_the_deck_and_the_workbook_carry_the_section(tmp_path):
    from components import briefing, exports
    from scripts.make_monitor_data import main as make_monitor_data

    assert make_monitor_data([str(tmp_path)]) == 0
    dataset = load_folder(tmp_path)
    the_deck = briefing.deck(dataset, "year=2023&region=合成区&start=monitor")
    titles = [s.title for s in the_deck.slides if s.section == "绩效监控"]
    assert titles[0] == "2023年6月末预算执行与绩效目标「双监控」（合成区）"
    alerts = next(s for s in the_deck.slides if s.title.startswith("2023年预警清单"))
    assert alerts.points[0][0].startswith("红色预警") and "见数据表（Excel）" in alerts.sentences[-1]
    assert all(s.page.path == "/monitor" for s in the_deck.slides if s.section == "绩效监控")
    book = openpyxl.load_workbook(io.BytesIO(exports.workbook_bytes(dataset, the_deck)))
    assert {"绩效监控_执行进度", "绩效监控_绩效指标", "绩效监控_预警"} <= set(book.sheetnames)
    sheet = book["绩效监控_执行进度"]
    assert sheet.cell(1, 1).value == "合成区2023年6月末预算执行进度表"  # laid out as a published table
    at = next(r for r in range(1, 6) if sheet.cell(r, 1).value == "年度")  # the header, below title and 单位
    header = [c.value for c in sheet[at]]
    assert "执行率（%，计算值）" in header and sheet.cell(at + 1, header.index("来源") + 1).value.startswith("合成数据")
    assert "一、绩效运行监控情况" in [
        p.text for p in docx.Document(io.BytesIO(exports.docx_bytes(dataset, the_deck))).paragraphs
    ]


def test_a_seed_deck_has_no_monitor_slide():
    from components import briefing

    the_deck = briefing.deck(load_folder(ROOT / "data"), "")
    assert all(s.section != "绩效监控" for s in the_deck.slides)
    assert "暂无绩效运行监控数据" in the_deck.slides[0].sentences[-1]


def test_a_printed_grade_and_a_printed_rate_are_checked(tmp_path):
    dataset = folder(
        tmp_path,
        targets_body=(
            "2022,A区,甲局,项目,预算执行,,预算执行率,,,45.17%,,10,4.52,,x\n"
            "2022,A区,甲局,项目二,预算执行,,预算执行率,,,50.00%,,10,5,,x\n"
        ),
        execution_body='2022,A区,甲局,项目,12,20000.00,"9,034",元,x\n2022,A区,甲局,项目二,12,100,40,,x\n',
    )
    found = [f for f in checks.findings(dataset) if f.kind == "rate"]
    assert [(f.line, f.column) for f in found] == [(3, "实际值")]  # 9034 ÷ 20000 = 45.17% as printed; 40% ≠ 50.00%
    (tmp_path / "targets.csv").write_text(
        T_HEAD.replace("偏差原因", "等级,偏差原因") + "2022,A区,甲局,项目,总分,,总分,,,,,100,85,优,,x\n",
        encoding="utf-8",
    )
    dataset = load_folder(tmp_path)
    (grade,) = [f for f in checks.findings(dataset) if f.kind == "grade"]
    assert "「优」" in grade.message and "「良」" in grade.message
    scored = mm.model(dataset, 2022, "A区").scored[0]
    assert (scored.printed_grade, scored.grade) == ("优", "良")  # shown as printed, checked against the band


def test_the_example_flags_its_own_printed_rate():
    """普陀: 215,457.6 ÷ 250,000.00 = 86.18%, the table prints 86.19%: a real finding, not a rounding."""
    found = [f for f in checks.findings(load_folder(EXAMPLE)) if f.kind == "rate"]
    assert [(f.file, f.line) for f in found] == [("targets.csv", 19)]


def test_a_page_opened_bare_shows_a_region_that_has_the_year():
    # The demo folder: 2022 holds real documents' regions first, 2023 only the synthetic one.
    by_year = {2023: ["合成区"], 2022: ["池州市贵池区", "合成区"]}
    regions = ["池州市贵池区", "上海市普陀区", "合成区"]
    state, notices = from_url("", "monitor", [2023, 2022], regions, {}, lambda y: by_year.get(y, []))
    assert (state.year, state.region, notices) == (2023, "合成区", ())
    state, _ = from_url("year=2022", "monitor", [2023, 2022], regions, {}, lambda y: by_year.get(y, []))
    assert state.region == "池州市贵池区"
