"""The contract's files: columns, vocabularies, and the problems a file can have."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from components import vocab

BASE_UNIT = "万元"
MONEY_FACTORS = {"元": 1e-4, "千元": 1e-1, "万元": 1.0, "百万元": 100.0, "亿元": 1e4}
MONEY_UNIT_SYNONYMS = {"万": "万元", "亿": "亿元", "千": "千元", "百万": "百万元"}
MISSING_MARKS = {"", "-", "--", "—", "——", "－", "–", "/", "／", "\\"}
MAX_ERRORS_PER_FILE = 50
SHOWN_CHARS = 40  # cell text quoted back in a message is cut here: one huge cell must not flood the page
SETTLE_SECONDS = 1.0  # a file written less than this long ago may still be being written

# ---------------------------------------------------------------- text

def clean(text: str) -> str:
    """Strip ordinary, full-width and zero-width spaces and a stray BOM."""
    return text.strip().strip("\u3000\ufeff\u200b").strip()


def shown(text: str) -> str:
    """Cell text as a message quotes it: cut short (a cell may hold a megabyte)."""
    text = clean(text)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}…（共 {len(text)} 个字符）"


# ---------------------------------------------------------------- schema


def _canon(synonyms: Mapping[str, str], known: tuple[str, ...], label: str, strict: bool):
    """A normaliser for a vocabulary column: synonyms map to canonical names."""

    def normalise(text: str) -> str:
        value = synonyms.get(text, text)
        if strict and value not in known and value != vocab.TOTAL:
            raise CellError(f"「{shown(text)}」不是有效的{label}", "、".join(known))
        return value

    return normalise


@dataclass(frozen=True)
class Col:
    name: str  # Chinese header
    alias: str  # English alias, also the column name in the frame
    kind: str = "text"  # text | year | money | number | percent | unit | date
    required: bool = False  # column must be present and every cell non-empty
    key: bool = False
    optional_key: bool = False  # key column whose column may be absent and cell empty
    units: tuple[str, ...] = ()  # natural header units of a non-money column
    normalise: Callable[[str], str] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False
    default: str = ""  # what an empty cell of a text column means (口径: 预算)
    absent: tuple[str, ...] = ()  # texts of a number column that state an absence (限额: 无单列限额)
    absent_flag: str = ""  # the boolean frame column that records them
    warn_unknown: tuple[str, ...] = ()  # known values: any other is accepted with a warning naming these


@dataclass(frozen=True)
class Schema:
    name: str
    file: str
    label: str
    columns: tuple[Col, ...]
    one_of: tuple[str, ...] = ()  # aliases of which each row must state at least one (grades: 数量 or 占比)

    @property
    def keys(self) -> list[str]:
        return [c.alias for c in self.columns if c.key or c.optional_key]

    @property
    def yearly(self) -> bool:
        """Whether rows belong to a year and region (sources.csv's rows do not)."""
        return any(c.alias == "year" for c in self.columns)

    @property
    def flags(self) -> list[str]:
        return [c.absent_flag for c in self.columns if c.absent_flag]


YEAR = Col("年度", "year", "year", required=True, key=True)
REGION = Col("地区", "region", required=True, key=True)
UNIT = Col("单位", "unit", "unit")
NOTE = Col("说明", "note")
SOURCE = Col("来源", "source")
GRADE_NORM = _canon(vocab.GRADE_SYNONYMS, vocab.GRADES, "等级", strict=True)
SECTION_NORM = _canon(vocab.SECTION_SYNONYMS, vocab.SECTIONS, "板块", strict=True)
NO_LIMIT_MARKS = ("无", "无单列限额", "无单列")


def _basis(text: str) -> str:
    value = vocab.BASIS_SYNONYMS.get(text, text)
    if value not in vocab.BASES:
        raise CellError(f"「{shown(text)}」不是有效的口径", "、".join(vocab.BASES) + f"（空白表示{vocab.BASIS_DEFAULT}）")
    return value


BASIS = Col("口径", "basis", normalise=_basis, default=vocab.BASIS_DEFAULT)

# 绩效运行监控 (targets.csv, execution.csv): the layout of the published 绩效自评表
LEVEL1 = ("产出指标", "效益指标", "成本指标", "满意度指标")
LEVEL1_EXTRA = ("预算执行", "总分")  # the table's 预算执行率 row and its printed 总分 row
LEVEL1_SYNONYMS = {
    "产出": "产出指标",
    "效益": "效益指标",
    "成本": "成本指标",
    "满意度": "满意度指标",
    "预算执行率": "预算执行",
    "预算资金执行率": "预算执行",
    "合计": "总分",
}
LEVEL2 = ("数量", "质量", "时效", "成本", "经济效益", "社会效益", "生态效益", "可持续影响", "服务对象满意度")
LEVEL2_SYNONYMS = {f"{name}指标": name for name in LEVEL2} | {
    "满意度": "服务对象满意度",
    "满意度指标": "服务对象满意度",
}
DIRECTIONS = ("≥", "≤", "=", "定性")
DIRECTION_SYNONYMS = {
    ">=": "≥", "＞＝": "≥", "≧": "≥", "大于等于": "≥", "不低于": "≥",
    "<=": "≤", "＜＝": "≤", "≦": "≤", "小于等于": "≤", "不高于": "≤",
    "＝": "=", "==": "=", "等于": "=",
    "定性指标": "定性",
}  # fmt: skip
ALERT_LEVELS = ("黄色预警", "红色预警")  # thresholds.csv: points behind the 序时进度 that raise each
ALERT_SYNONYMS = {"黄色": "黄色预警", "黄": "黄色预警", "红色": "红色预警", "红": "红色预警"}
AGENCY = Col("预算单位", "agency", required=True, key=True)
PROJECT = Col("项目", "project", optional_key=True)  # empty: the unit's 整体支出


def _level1(text: str) -> str:
    value = LEVEL1_SYNONYMS.get(text, text)
    if value not in LEVEL1 + LEVEL1_EXTRA:
        raise CellError(f"「{shown(text)}」不是有效的一级指标", "、".join(LEVEL1 + LEVEL1_EXTRA))
    return value


SCHEMAS: dict[str, Schema] = {
    s.name: s
    for s in (
        Schema(
            "transfers",
            "transfers.csv",
            "税收返还和转移支付",
            (
                YEAR,
                REGION,
                Col(
                    "类别",
                    "category",
                    required=True,
                    key=True,
                    normalise=_canon(vocab.CATEGORY_SYNONYMS, vocab.CATEGORIES, "类别", False),
                    warn_unknown=(*vocab.CATEGORIES, vocab.TOTAL),
                ),
                Col("项目", "item", optional_key=True),
                BASIS,
                Col("预算数", "budget", "money"),
                Col("上年执行数", "prior_actual", "money"),
                Col("增减额", "stated_change", "money"),
                Col("增减率", "stated_change_pct", "percent", units=("%",)),
                UNIT,
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "debt",
            "debt.csv",
            "政府债务",
            (
                YEAR,
                REGION,
                Col(
                    "债务类型",
                    "debt_type",
                    required=True,
                    key=True,
                    normalise=_canon(vocab.DEBT_TYPE_SYNONYMS, vocab.DEBT_TYPES, "债务类型", True),
                ),
                BASIS,
                Col("限额", "limit", "money", absent=NO_LIMIT_MARKS, absent_flag="no_limit"),
                Col("新增限额", "new_limit", "money"),
                Col("余额", "balance", "money"),
                Col("新增债券", "new_bonds", "money"),
                Col("再融资债券", "refinancing_bonds", "money"),
                Col("还本", "principal_repaid", "money"),
                Col("付息", "interest_paid", "money"),
                Col("还本付息", "debt_service", "money"),
                Col("平均期限", "avg_term_years", "number", units=("年",), low=0, high=100),
                Col("平均利率", "avg_rate_pct", "percent", units=("%",), low=0, high=100),
                UNIT,
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "evaluations",
            "evaluations.csv",
            "绩效评价对象",
            (
                YEAR,
                REGION,
                Col("评价方式", "method", required=True, key=True),
                Col(
                    "对象类型",
                    "target_type",
                    required=True,
                    normalise=_canon(vocab.TARGET_TYPE_SYNONYMS, (), "对象类型", False),
                ),
                Col("评价对象", "target", required=True, key=True),
                Col("涉及金额", "amount", "money"),
                Col("得分", "score", "number", units=("分",), low=0, high=100),
                Col("等级", "grade", normalise=GRADE_NORM),
                UNIT,
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "grades",
            "grades.csv",
            "评价等级分布",
            (
                YEAR,
                REGION,
                Col("评价方式", "method", required=True, key=True),
                Col("等级", "grade", required=True, key=True, normalise=GRADE_NORM),
                Col("数量", "count", "number", units=("个", "项", "家"), low=0, integer=True),
                Col("占比", "share_pct", "percent", units=("%",), low=0, high=100),
                Col("涉及金额", "amount", "money"),
                UNIT,
                SOURCE,
            ),
            one_of=("count", "share_pct"),
        ),
        Schema(
            "indicators",
            "indicators.csv",
            "绩效管理指标",
            (
                YEAR,
                REGION,
                Col("板块", "section", normalise=SECTION_NORM),
                Col("指标", "indicator", required=True, key=True),
                Col("数值", "value", "percent", required=True, units=("*",)),
                Col("单位", "unit"),  # free text here: 家, 个, %, 万元 …
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "notes",
            "notes.csv",
            "文字说明",
            (
                YEAR,
                REGION,
                Col("板块", "section", required=True, key=True, normalise=SECTION_NORM),
                Col("标题", "title", required=True, key=True),
                Col("内容", "text", required=True),
                SOURCE,
            ),
        ),
        Schema(
            "targets",
            "targets.csv",
            "绩效目标与完成情况",
            (
                YEAR,
                REGION,
                AGENCY,
                PROJECT,
                Col("一级指标", "level1", required=True, key=True, normalise=_level1),
                Col(
                    "二级指标",
                    "level2",
                    optional_key=True,
                    normalise=_canon(LEVEL2_SYNONYMS, LEVEL2, "二级指标", False),
                    warn_unknown=LEVEL2,
                ),
                Col("三级指标", "indicator", required=True, key=True),
                Col("指标方向", "direction", normalise=_canon(DIRECTION_SYNONYMS, DIRECTIONS, "指标方向", True)),
                Col("目标值", "target"),  # text: a 定性 indicator's is words; rows.py checks the others are numbers
                Col("实际值", "actual"),
                Col("计量单位", "measure"),
                Col("分值", "weight", "number", units=("分",), low=0, high=100),
                Col("得分", "score", "number", units=("分",), low=0, high=100),
                Col("等级", "grade", normalise=GRADE_NORM),  # as printed on a 总分 row
                Col("偏差原因", "reason"),
                SOURCE,
            ),
        ),
        Schema(
            "execution",
            "execution.csv",
            "预算执行进度",
            (
                YEAR,
                REGION,
                AGENCY,
                PROJECT,
                Col("月份", "month", "number", required=True, key=True, units=("月",), low=1, high=12, integer=True),
                Col("全年预算数", "budget", "money"),
                Col("累计支出", "spent", "money"),
                UNIT,
                SOURCE,
            ),
        ),
        Schema(
            "thresholds",
            "thresholds.csv",
            "预警阈值",
            (
                Col(
                    "预警级别",
                    "level",
                    required=True,
                    key=True,
                    normalise=_canon(ALERT_SYNONYMS, ALERT_LEVELS, "预警级别", True),
                ),
                Col("低于序时进度", "points", "number", required=True, units=("个百分点", "百分点"), low=0, high=100),
                NOTE,
                SOURCE,
            ),
        ),
        Schema(
            "sources",
            "sources.csv",
            "来源文件",
            (
                Col("来源", "source", required=True, key=True),
                Col("发布机关", "publisher"),
                Col("发布日期", "published", "date"),
                Col("网址", "url"),
            ),
        ),
    )
}

# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One error or warning, located as precisely as the input allows."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    level: str = "error"  # error | warning
    sheet: str | None = None  # the worksheet, for a workbook (.xlsx)

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f" {self.sheet}"
        if self.line is not None:
            where += f" 第{self.line}行"
        if self.column:
            where += f" 「{self.column}」列"
        kind = "错误" if self.level == "error" else "提示"
        return f"{where}（{kind}）：{self.message}"


class CellError(ValueError):
    def __init__(self, message: str, expected: str = "", line: int | None = None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.line = line  # set where the error is about the file, not one cell

    def __str__(self) -> str:
        return f"{self.message}，应为{self.expected}" if self.expected else self.message


