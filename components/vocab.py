"""Domain vocabulary in one place: canonical names, synonyms, display order, colours.

Colours take the Okabe-Ito palette's hues, which stay apart for colour-blind viewers, at
lightnesses that hold 3:1 against the chart's white (WCAG 1.4.11) and step apart in grey,
so categories shown together differ in greyscale and on a washed-out projector too. The
projector theme (white on black) has a lighter counterpart of each; components/palette.py
checks and applies them.
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
BASES = tuple(BASIS_SYNONYMS.values())

TARGET_TYPE_SYNONYMS = {"部门整体": "部门整体支出", "项目": "项目支出", "政策支出": "政策"}

SECTIONS = ("转移支付", "政府债务", "绩效管理")
SECTION_SYNONYMS = {
    "税收返还和转移支付": "转移支付",
    "债务": "政府债务",
    "举借政府债务": "政府债务",
    "预算绩效管理": "绩效管理",
    "绩效": "绩效管理",
}

# Okabe-Ito hues (blue, orange, bluish green, vermillion, sky blue, reddish purple, yellow),
# darkened to hold at least 3.5:1 on white; ON_DARK_PALETTE holds each at 6:1 on black.
OKABE_ITO = ("#0072B2", "#8D6100", "#00986E", "#D55E00", "#136491", "#B74584", "#82790A")
ON_DARK_PALETTE = ("#56B4E9", "#E69F00", "#009E73", "#ED6900", "#B4DDF5", "#D695B9", "#F0E442")
NEUTRAL = "#6B7280"
NEUTRAL_ON_DARK = "#9CA3AF"

# Shown together, each group steps ≥ 10 in CIELAB lightness (L*) between its members: 税收返还
# 45 · 一般性转移支付 33 · 专项转移支付 56; 一般债务 33 · 专项债务 54; the grades darkest (优) to
# lightest (差), 25 · 36 · 47 · 57, 优良 (printed instead of 优 and 良) between them.
COLOURS = {
    "税收返还": "#8D6100",
    "一般性转移支付": "#00527F",
    "专项转移支付": "#00986E",
    "一般债务": "#00527F",
    "专项债务": "#D55E00",
    "优": "#003F62",
    "优良": "#0C5151",
    "良": "#006247",
    "中": "#B54583",
    "差": "#E16300",
    TOTAL: NEUTRAL,
}
# The projector theme's colour of each (on black: at least 6:1, lightness the other way round).
COLOURS_ON_DARK = {
    "税收返还": "#EBA300",
    "一般性转移支付": "#B4DDF5",
    "专项转移支付": "#00A176",
    "一般债务": "#B4DDF5",
    "专项债务": "#ED6900",
    "优": "#CFEAF9",
    "优良": "#ADDED6",
    "良": "#00E1A4",
    "中": "#D695B9",
    "差": "#E56500",
    TOTAL: NEUTRAL_ON_DARK,
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
