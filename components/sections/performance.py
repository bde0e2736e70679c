"""预算绩效管理 as one model: the grade distribution per evaluation method, the evaluations the view
lists, their money and the sentences said about them, for one year and region.

Rules (../shared/docs/csv-contract.md, evaluations.csv and grades.csv):
- grade counts are per (year, region, method): as grades.csv states them, else counted from the
  graded rows of evaluations.csv; a grade is never derived from a score;
- methods are never added together (单位自评 and 财政复核 of the same projects are two counts of the
  same things): a headline total is given only when the view has one method;
- 优良 is a grade of its own, and stands for 优 and 良: they are never said to be unlisted;
- a grades.csv row may state its share (占比) instead of a count: the share is shown as printed,
  never a count of 0; a share printed beside its count is shown beside it;
- where the file lists no evaluation (grades.csv only), their number is the grades' counts added
  up and marked so (COUNTED), and no sentence says that no evaluation matched;
- money is shown as printed, in its printed unit unless one is chosen; a sum is marked computed and
  given only when every part is stated, else 未公布;
- a selection (评价方式, 对象类型, 等级) is a subset, and every sentence and card says which part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from components import vocab
from components.data import Dataset
from components.figures import MISSING, Figure, exact, say, total
from components.filters import keep, select
from components.sections.debt import figure_of, printed_unit
from components.theme import shown_in

TARGET_TYPES = ("部门整体支出", "项目支出", "政策")
SUMMED = "逐项加总"  # a sum over the evaluations listed
COUNTED = "按等级加总"  # the number of evaluations, where only the grades' counts are printed
UNLISTED = "数据文件未逐个列出评价对象"  # grades.csv only: no evaluation is named
NONE_CHOSEN = "没有符合筛选条件的评价对象"  # the file lists some, the selection none of them


@dataclass(frozen=True)
class Grade:
    """One grade of one method: its count and/or share as printed, and the money it covers."""

    grade: str
    count: Figure  # 个
    share: Figure  # %
    amount: Figure  # in the model's unit
    lines: tuple[int, ...] = ()

    def text(self, spaced: bool = True) -> str:
        """「良 5 个」, 「优良 4 个（占57%）」, 「优良占82.5%」; neither is 未公布."""
        if self.count.stated:
            share = f"（占{self.share.text()}）" if self.share.stated else ""
            return (
                f"{self.grade} {self.count.text(with_unit=False)} 个{share}"
                if spaced
                else f"{self.grade}{self.count.text()}{share}"
            )
        if self.share.stated:
            return f"{self.grade}占{self.share.text()}"
        return f"{self.grade} {MISSING}"


@dataclass(frozen=True)
class Method:
    """One evaluation method of the view: its grades and the evaluations listed under it."""

    name: str
    grades: tuple[Grade, ...]  # in canonical order
    source_file: str  # grades.csv | evaluations.csv | "" (no grade stated)
    listed: int  # evaluations listed (after the selection)
    by_type: tuple[tuple[str, int], ...]
    amount: Figure  # 涉及金额 of the listed evaluations: one as printed, several 逐项加总, else 未公布
    scores: tuple[Figure, ...] = ()
    stated_total: Figure = field(default_factory=lambda: Figure.missing("个"))  # a grades.csv 合计 row's 数量

    @property
    def counted(self) -> Figure:
        """The number of graded evaluations: a printed 合计 as printed (checks.py compares it with
        its grades), else the sum of the grade counts when every grade states one."""
        if self.stated_total.stated:
            return self.stated_total
        return total([g.count for g in self.grades], "个") if self.grades else Figure.missing("个")

    @property
    def by_share(self) -> bool:
        """Whether the grades state shares only (no count at all)."""
        return bool(self.grades) and not any(g.count.stated for g in self.grades)

    def summary(self) -> str:
        """「良 5 个 · 中 3 个」, 「优良 4 个 · 中占20%」."""
        return " · ".join(g.text() for g in self.grades)


@dataclass(frozen=True)
class PerformanceModel:
    year: int | None
    region: str | None
    unit: str
    methods: tuple[Method, ...]
    subset: str = ""  # 「对象类型为项目支出」 … when the view shows part of the evaluations
    within: str = ""  # the part of each method shown (the subset less the methods chosen)
    grades_selected: tuple[str, ...] = ()
    aggregate_only: bool = False  # a 对象类型 selection that grades.csv counts cannot follow
    type_counts: tuple[tuple[str, int], ...] = ()  # every type of the methods shown (the type chart)
    listed_types: tuple[tuple[str, int], ...] = ()  # the types of the evaluations listed
    listed: int = 0
    named: int = 0  # the evaluations the file lists for the year and region, before the selection
    amount: Figure = field(default_factory=lambda: Figure.missing("万元"))
    amount_gaps: str = ""
    indicators: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    sentences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.methods

    @property
    def grades(self) -> tuple[Grade, ...]:
        return tuple(g for m in self.methods for g in m.grades)

    @property
    def graded(self) -> tuple[Method, ...]:
        return tuple(m for m in self.methods if m.grades)

    @property
    def total(self) -> Figure:
        """How many evaluations, only when the view has one method (methods are never added)."""
        if len(self.methods) != 1:
            return Figure.missing("个")
        m = self.methods[0]
        if m.listed:
            return Figure.printed(str(m.listed), "个")
        return m.counted

    @property
    def grades_unnamed(self) -> bool:
        """A grade is chosen but only the distribution is published: no evaluation can be named."""
        return bool(self.grades_selected) and self.listed == 0 and bool(self.grades)

    def summary(self) -> str:
        """The grade card: 「良 5 个 · 中 3 个」 for one method, 「单位自评：… ；财政复核：…」 for several."""
        graded = self.graded
        if len(graded) == 1:
            return graded[0].summary()
        return "；".join(f"{m.name}：{m.summary()}" for m in graded)

    def chosen(self) -> tuple[tuple[str, Figure], ...]:
        """Per method, the count of the grades chosen (未公布 unless each of them states a count)."""
        out = []
        for m in self.graded:
            picked = [g.count for g in m.grades if g.grade in self.grades_selected]
            out.append((m.name, total(picked, "个") if picked else Figure.missing("个")))
        return tuple(out)

    def value(self) -> str:
        """What the grade chart draws: counts, or shares when the file gives shares only."""
        grades = self.grades
        if grades and all(not g.count.stated for g in grades) and any(g.share.stated for g in grades):
            return "share"
        return "count"


def number(row: Mapping, alias: str, unit: str) -> Figure:
    """A count, share or score as printed (its printed text where the loader kept it)."""
    line = row.get("line")
    line = None if line is None or line != line else int(line)
    text = row.get(f"_p_{alias}")
    if isinstance(text, str) and text:
        return Figure.printed(text, unit, line)
    value = exact(row.get(alias))
    if value is None:
        return Figure.missing(unit)
    if value == value.to_integral_value():
        value = value.to_integral_value()
    return Figure.printed(str(value), unit, line)


def printed_unit_of(dataset: Dataset, year, region) -> str:
    """The unit the view's evaluations and grade rows were printed in (the most common): the page's
    display unit, the evaluations list's too, unless the viewer chooses one."""
    every = dataset.rows("evaluations", year, region)
    published = dataset.rows("grades", year, region)
    return printed_unit(pd.concat([every[["unit"]], published[["unit"]]]) if len(every) + len(published) else every)


def model(dataset: Dataset, year, region, methods=(), target_types=(), grades=(), unit: str | None = None):
    methods, target_types, grades = tuple(methods or ()), tuple(target_types or ()), tuple(grades or ())
    every = dataset.rows("evaluations", year, region)
    published = dataset.rows("grades", year, region)
    shown = unit or printed_unit_of(dataset, year, region)
    scoped = keep(every, "method", methods)
    typed = keep(scoped, "target_type", target_types)
    listed = keep(typed, "grade", grades)
    names = vocab.ordered(list(every["method"]) + list(published["method"]), ())
    chosen_names = [n for n in names if not methods or n in methods]
    built, aggregate_only = [], False
    for name in chosen_names:
        mine = listed[listed["method"] == name]
        graded = typed[(typed["method"] == name) & (typed["grade"] != "")]
        stated = published[published["method"] == name]
        whole = stated[stated["grade"] == vocab.TOTAL]  # a printed 合计 is the whole, not a grade of its own
        stated = stated[stated["grade"] != vocab.TOTAL]
        if len(stated) and not (target_types and len(graded)):
            found, source = _published(stated, shown), "grades.csv"
            aggregate_only = aggregate_only or bool(target_types)
        elif len(graded):
            found, source = _counted(graded, shown), "evaluations.csv"
        else:
            found, source = (), ""
        records = mine.to_dict("records")
        amounts = [figure_of(r, "amount", shown, money=True) for r in records]
        built.append(
            Method(
                name,
                found,
                source,
                len(mine),
                _types(mine),
                total(amounts, shown) if amounts else Figure.missing(shown),
                tuple(number(r, "score", "分") for r in records),
                number(whole.iloc[0].to_dict(), "count", "个") if source == "grades.csv" and len(whole) else Figure.missing("个"),
            )
        )
    parts = []
    if methods and set(chosen_names) != set(names):
        parts.append(f"评价方式为{'、'.join(chosen_names)}")
    if target_types:
        parts.append(f"对象类型为{'、'.join(target_types)}")
    if grades:
        parts.append(f"等级为{'、'.join(grades)}")
    amounts = [figure_of(r, "amount", shown, money=True) for r in listed.to_dict("records")]
    missing = sum(1 for a in amounts if not a.stated)
    gaps = (
        "" if not missing else ("文件未逐项公布金额" if missing == len(amounts) else f"{missing} 个评价对象未公布金额")
    )
    if not amounts:  # why there is nothing to add up (a document's own total is among its indicators, if any)
        gaps = f"{NONE_CHOSEN if len(every) else UNLISTED}，无从逐项加总"
    indicators = dataset.frame("indicators")
    indicators = select(indicators[indicators["section"] == "绩效管理"], year, region)
    m = PerformanceModel(
        year,
        region,
        shown,
        tuple(built),
        "，".join(parts),
        "，".join(p for p in parts if not p.startswith("评价方式")),
        grades,
        aggregate_only,
        _types(keep(scoped, "grade", grades)),
        _types(listed),
        len(listed),
        len(every),
        total(amounts, shown) if amounts else Figure.missing(shown),
        gaps,
        indicator_parts(indicators, unit),
        tuple(dict.fromkeys(s for s in list(every["source"]) + list(published["source"]) if s)),
    )
    return _with_sentences(m)


def _types(rows: pd.DataFrame) -> tuple[tuple[str, int], ...]:
    if rows.empty:
        return ()
    sizes = rows.groupby("target_type", sort=False).size()
    return tuple((t, int(sizes[t])) for t in vocab.ordered(sizes.index, TARGET_TYPES))


def _published(rows: pd.DataFrame, unit: str) -> tuple[Grade, ...]:
    by_grade = {r["grade"]: r for r in rows.to_dict("records")}
    return tuple(
        Grade(
            g,
            number(by_grade[g], "count", "个"),
            number(by_grade[g], "share_pct", "%"),
            figure_of(by_grade[g], "amount", unit, money=True),
            _lines([by_grade[g]]),
        )
        for g in vocab.ordered(by_grade, vocab.GRADES)
    )


def _counted(graded: pd.DataFrame, unit: str) -> tuple[Grade, ...]:
    out = []
    for g in vocab.ordered(graded["grade"], vocab.GRADES):
        records = graded[graded["grade"] == g].to_dict("records")
        lines = _lines(records)
        count = Figure(exact(len(records)), "个", 0, "printed", lines)  # counted rows, not a printed sum
        out.append(
            Grade(
                g,
                count,
                Figure.missing("%"),
                total([figure_of(r, "amount", unit, money=True) for r in records], unit),
                lines,
            )
        )
    return tuple(out)


def _lines(records) -> tuple[int, ...]:
    return tuple(int(r["line"]) for r in records if r.get("line") is not None and r.get("line") == r.get("line"))


def indicator_figure(row: Mapping, unit: str | None = None) -> Figure:
    """An indicators.csv value as printed (37家, 100%, 34832.52万元); money in `unit` only when one
    is chosen (as theme.shown_in converts). Every page, slide and export shows indicators so."""
    if row.get("unit") in ("元", "万元", "亿元"):
        return shown_in(figure_of(row, "value", None, money=True), unit)
    return number(row, "value", row.get("unit") or "")


def indicator_parts(rows: pd.DataFrame, unit: str | None) -> tuple[str, ...]:
    """「开展绩效自评的预算单位数37家」, money as printed in its unit unless one is chosen."""
    return tuple(f"{r['indicator']}{indicator_figure(r, unit).text()}" for r in rows.to_dict("records"))


# ---------------------------------------------------------------- sentences



def grades_clause(m: Method) -> str:
    """「评价结果等级为良的5个，评价结果等级为中的3个」; a share as printed: 「评价结果等级为优良的占82.5%」."""
    if not m.grades:
        return f"评价等级{MISSING}"
    said = []
    for g in m.grades:
        if g.count.stated:
            share = f"，占{g.share.text()}" if g.share.stated else ""
            said.append(f"评价结果等级为{g.grade}的{g.count.text()}{share}")
        elif g.share.stated:
            said.append(f"评价结果等级为{g.grade}的占{g.share.text()}")
        else:
            said.append(f"评价结果等级为{g.grade}的个数{MISSING}")
    return "，".join(said)


def _method_clause(pm: PerformanceModel, m: Method) -> str:
    if m.listed:
        head = f"{m.name}{'中' + pm.within + '的' if pm.within else ''}{m.listed}个"
        types = "、".join(f"{t}{n}个" for t, n in m.by_type)
        head += f"，其中{types}" if types and not (len(m.by_type) == 1 and pm.within.startswith("对象类型")) else ""
        if m.amount.stated:
            head += f"，涉及金额{say(m.amount, SUMMED)}"
        if len(m.scores) == 1 and m.scores[0].stated:
            head += f"，得分{m.scores[0].text()}"
    elif m.counted.stated:
        head = f"{m.name}{say(m.counted, COUNTED)}"
    else:
        head = ""
    clause = grades_clause(m)
    if pm.aggregate_only and m.source_file == "grades.csv":
        clause = f"全部{m.name}（等级分布不区分对象类型）中{clause}"
    if pm.grades_unnamed and m.grades:
        clause += "，文件未公布每个评价对象的等级"
    return f"{head}；{clause}" if head else f"{m.name}中{clause}"


def _with_sentences(pm: PerformanceModel) -> PerformanceModel:
    year = pm.year
    if pm.empty:
        grades = (f"{year}年暂无绩效评价数据。",)
    else:
        clauses = [_method_clause(pm, m) for m in pm.methods]
        tail = "（不同评价方式分别计数，不相加）" if len(pm.methods) > 1 else ""
        grades = (f"{year}年" + "；".join(clauses) + tail + "。",)
    if pm.indicators:
        grades += ("，".join(pm.indicators) + "。",)
    if pm.listed_types:
        part = f"（{pm.subset}）" if pm.subset else ""
        types = f"评价对象{part}中" + "、".join(f"{t}{n}个" for t, n in pm.listed_types) + "。"
    elif pm.named:
        types = f"{NONE_CHOSEN}。"
    else:  # grades.csv only: the file gives the distribution, not the evaluations
        types = f"{UNLISTED}。"
    return replace(pm, sentences={"grades": grades, "types": (types,)})
