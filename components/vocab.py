"""Domain vocabulary in one place: canonical names, synonyms, display order, colours.

Colours follow the Okabe-Ito palette, which stays distinguishable for colour-blind
viewers and survives a washed-out projector.
"""

from __future__ import annotations

TOTAL = "合计"

# 税收返还和转移支付
CATEGORIES = ("税收返还", "一般性转移支付", "专项转移支付")
CATEGORY_SYNONYMS = {
    "返还性收入": "税收返还",
    "税收返还收入": "税收返还",
    "一般性转移支付收入": "一般性转移支付",
    "专项转移支付收入": "专项转移支付",
    "总计": TOTAL,
}

# 政府债务
DEBT_TYPES = ("一般债务", "专项债务")
DEBT_TYPE_SYNONYMS = {
    "一般": "一般债务",
    "一般债券": "一般债务",
    "专项": "专项债务",
    "专项债券": "专项债务",
    "总计": TOTAL,
}

# 绩效评价等级, best first
GRADES = ("优", "优良", "良", "中", "差")  # 优良: the combined grade some documents print
GRADE_SYNONYMS = {"优秀": "优", "良好": "良", "一般": "中", "较差": "差"}
GRADE_COVERS = {"优良": ("优", "良")}  # a combined grade stands for its parts: they are not "unlisted"


def unlisted_grades(present) -> list[str]:
    """The single grades a distribution does not list (优 and 良 are listed when 优良 is)."""
    present = set(present)
    covered = present | {part for g in present for part in GRADE_COVERS.get(g, ())}
    return [g for g in GRADES if g not in covered and g not in GRADE_COVERS]


# 口径: what kind of figure an amount is (预算数 of a budget, 决算数 of final accounts …)
BASES = ("预算", "调整预算", "预计执行", "执行", "决算")
BASIS_DEFAULT = "预算"
BASIS_SYNONYMS = {"预算数": "预算", "调整预算数": "调整预算", "预计执行数": "预计执行", "执行数": "执行", "决算数": "决算"}

TARGET_TYPE_SYNONYMS = {"部门整体": "部门整体支出", "项目": "项目支出", "政策支出": "政策"}

SECTIONS = ("转移支付", "政府债务", "绩效管理")
SECTION_SYNONYMS = {
    "税收返还和转移支付": "转移支付",
    "债务": "政府债务",
    "举借政府债务": "政府债务",
    "预算绩效管理": "绩效管理",
    "绩效": "绩效管理",
}

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")
NEUTRAL = "#6B7280"

COLOURS = {
    "税收返还": "#E69F00",
    "一般性转移支付": "#0072B2",
    "专项转移支付": "#009E73",
    "一般债务": "#56B4E9",
    "专项债务": "#D55E00",
    "优": "#009E73",
    "优良": "#2FA8A0",  # between 优's green and 良's sky blue
    "良": "#56B4E9",
    "中": "#E69F00",
    "差": "#D55E00",
    TOTAL: NEUTRAL,
}


def colour_of(name: str, others: tuple[str, ...] = ()) -> str:
    """Colour of a known name; an unknown one gets a stable palette colour by position."""
    if name in COLOURS:
        return COLOURS[name]
    spare = [c for c in OKABE_ITO if c not in COLOURS.values()] + [c for c in OKABE_ITO]
    index = others.index(name) if name in others else sum(map(ord, name))
    return spare[index % len(spare)]


def ordered(values, canonical: tuple[str, ...]) -> list[str]:
    """Known values in their canonical order, then unknown ones in first-seen order."""
    seen = list(dict.fromkeys(v for v in values if v))
    return [c for c in canonical if c in seen] + [v for v in seen if v not in canonical]
