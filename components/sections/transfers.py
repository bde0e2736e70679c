"""税收返还和转移支付 as one model: what the document prints, figure by figure, for one year and region.

Rules (../shared/docs/csv-contract.md, transfers.csv): a printed 合计 is shown as printed (45.39
stays 45.39 though its parts add to 45.40) and is never added to the categories; without one, or
when only some categories are selected, the total is the sum of the categories shown, marked
computed, when every one of them is stated and none of the three (税收返还, 一般性转移支付, 专项转移
支付) is missing from the file; otherwise 未公布 (a file of 一般性转移支付 alone does not state the
whole). A category without its own total row
is the sum of its line items, marked computed. A stated 增减额 / 增减率 is shown as printed, even
without 上年执行数; only where none is stated is it computed from 预算数 and 上年执行数 (marked).
By default each figure is shown in the unit it was printed in; a unit the viewer chose converts
them all (exactly, rounded to that unit's usual decimals). A selection is a subset, and said so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from components import checks, vocab
from components.data import Dataset
from components.figures import COMPUTED, DERIVED, MISSING, Figure, card_text, say, total, wan
from components.filters import select
from components.sections.debt import basis_of, figure_of, printed_unit
from components.theme import shown_in

RATIO = re.compile(r"为上年执行数的\s*(-?\d+(?:\.\d+)?)\s*%")
LABELS = (("budget", "预算数"), ("prior", "上年执行数"), ("change", "增减额"), ("change_pct", "增减率"))


@dataclass(frozen=True)
class Line:
    """One category (item "") or one line item, or the total (category 合计)."""

    category: str
    item: str
    budget: Figure
    prior: Figure
    change: Figure
    change_pct: Figure
    note: str = ""
    derived: bool = False  # a category summed from its line items

    @property
    def label(self) -> str:
        return self.item or self.category

    def named(self, amount: str = "预算数") -> tuple[tuple[str, Figure], ...]:
        """Its figures with their labels (预算数, or 决算数 … as the 口径 names it), in the table's order."""
        return tuple((amount if alias == "budget" else label, getattr(self, alias)) for alias, label in LABELS)


@dataclass(frozen=True)
class TransfersModel:
    year: int | None
    region: str | None
    unit: str  # the table's unit: the one the rows were printed in, or the viewer's
    categories: tuple[Line, ...]
    items: tuple[Line, ...]
    total: Line
    ratio: Figure  # 为上年执行数的…%: printed (in the 合计 row's 说明) or computed
    stated_total: bool  # the total is the document's own 合计 row
    check: str = ""  # the printed 合计 against the sum of its parts, as the checks see it
    subset: str = ""  # "一般性转移支付" when the view shows only part of the transfers
    sources: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()
    sentences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    basis: str = vocab.BASIS_DEFAULT  # what kind of figure 预算数 is: 预算 · 调整预算 · 预计执行 · 执行 · 决算
    unlisted: tuple[str, ...] = ()  # of the three categories, those the file does not give: no total without them

    @property
    def empty(self) -> bool:
        return not self.categories and not self.stated_total

    @property
    def subject(self) -> str:
        return self.subset or "转移支付"

    @property
    def amount(self) -> str:
        """What 预算数 is called in this view: 预算数, or 执行数, 决算数 … as the 口径 says."""
        return amount_of(self.basis)

    @property
    def why_no_total(self) -> str:
        """「文件未列税收返还、专项转移支付，不能加总」 where the total is missing for want of a category."""
        return f"{unlisted_text(self)}，不能加总" if self.unlisted else ""

    @property
    def total_note(self) -> str:
        """The 合计 row's 说明: the check of a printed one, or why there is no sum to show."""
        return self.check if self.stated_total else self.why_no_total

    def items_of(self, category: str) -> tuple[Line, ...]:
        return tuple(i for i in self.items if i.category == category)


def amount_of(basis: str) -> str:
    return f"{basis or vocab.BASIS_DEFAULT}数"


def sum_figures(parts: list[Figure], unit: str) -> Figure:
    """total(), where a bare printed 0 (0 元) lends the sum no precision of its own."""
    out = total(parts, unit)
    if out.source != "computed":
        return out
    precise = [p.to(unit).decimals for p in parts if not (p.value == 0 and p.decimals <= 0)]
    return replace(out, decimals=max(max(precise, default=0), 0) if precise else 0)


def _change(budget: Figure, prior: Figure, stated: Figure) -> Figure:
    if stated.stated:
        return stated
    if not (budget.stated and prior.stated):
        return Figure.missing(budget.unit)
    prior = prior.to(budget.unit)
    return Figure(budget.value - prior.value, budget.unit, max(budget.decimals, prior.decimals), "computed", how=DERIVED)


def _prior(budget: Figure, prior: Figure, change: Figure) -> Figure:
    """上年执行数 as printed; where only 预算数 and 增减额 are (「比上年执行数减少2493万元」), it is
    their difference, marked computed: the document states it, though not as a number."""
    if prior.stated or not (budget.stated and change.stated):
        return prior
    change = change.to(budget.unit)
    decimals = max(budget.decimals, change.decimals)
    return Figure(budget.value - change.value, budget.unit, decimals, "computed", budget.lines, DERIVED)


def _pct(change: Figure, prior: Figure, stated: Figure) -> Figure:
    if stated.stated:
        return stated
    if not (change.stated and prior.stated) or not prior.value:
        return Figure.missing("%")
    return Figure(change.value / prior.to(change.unit).value * 100, "%", 2, "computed", how=DERIVED)


def _line(row: Mapping, unit: str | None) -> Line:
    fig = lambda alias: shown_in(figure_of(row, alias, None, money=not alias.endswith("_pct")), unit)  # noqa: E731
    budget, stated_change = fig("budget"), fig("stated_change")
    prior = _prior(budget, fig("prior_actual"), stated_change)
    change = _change(budget, prior, stated_change)
    return Line(
        row["category"], row["item"] or "", budget, prior, change, _pct(change, prior, fig("stated_change_pct")),
        row.get("note") or "",
    )  # fmt: skip


def _summed(category: str, parts: list[Line], unit: str, note: str = "") -> Line:
    """A category from its items, or the total from the categories: each figure summed, marked."""
    budget = sum_figures([p.budget for p in parts], unit)
    prior = sum_figures([p.prior for p in parts], unit)
    change = sum_figures([p.change for p in parts], unit)
    if not change.stated:
        change = _change(budget, prior, Figure.missing(unit))
    pct = parts[0].change_pct if len(parts) == 1 else _pct(change, prior, Figure.missing("%"))
    return Line(category, "", budget, prior, change, pct, note, derived=True)


def model(dataset: Dataset, year, region, selected=(), unit: str | None = None) -> TransfersModel:
    rows = select(dataset.frame("transfers"), year, region)
    base = unit or printed_unit(rows)
    selected = tuple(selected or ())
    records = rows.to_dict("records")
    stated_row = next((r for r in records if r["category"] == vocab.TOTAL and not r["item"]), None)
    own = {r["category"]: r for r in records if r["category"] != vocab.TOTAL and not r["item"]}
    item_rows = [r for r in records if r["category"] != vocab.TOTAL and r["item"]]
    names = vocab.ordered(list(own) + [r["category"] for r in item_rows], vocab.CATEGORIES)
    every = list(names)
    names = [n for n in names if not selected or n in selected]
    items = tuple(_line(r, unit) for r in item_rows if r["category"] in names)
    cats = []
    for n in names:
        if n in own:
            cats.append(_line(own[n], unit))
        else:
            cats.append(_summed(n, [i for i in items if i.category == n], base, "由明细项目加总"))
    unlisted = tuple(c for c in vocab.CATEGORIES if c not in every)
    # Picking every category the file lists is still a part where it leaves one out.
    subset = "、".join(names) if selected and names and (set(names) != set(every) or unlisted) else ""
    whole = None if subset else stated_row  # the 合计 speaks for the whole only
    unlisted = () if whole is not None or subset else unlisted
    if whole is not None:
        grand = replace(_line(whole, unit), category=vocab.TOTAL)
    elif cats and not unlisted:
        grand = _summed(vocab.TOTAL, cats, base)
    else:
        grand = Line(vocab.TOTAL, "", *(Figure.missing(base) for _ in range(3)), Figure.missing("%"))
    m = TransfersModel(
        year,
        region,
        base,
        tuple(cats),
        items,
        grand,
        _ratio(grand, whole),
        whole is not None,
        _check(whole, own, item_rows) if whole is not None else "",
        subset,
        tuple(dict.fromkeys(s for s in rows["source"] if s)) if len(rows) else (),
        tuple(int(line) for line in rows["line"]) if len(rows) else (),
        basis=basis_of(whole, rows),
        unlisted=unlisted if cats else (),
    )
    return replace(m, sentences=_sentences(m))


def _ratio(grand: Line, whole: Mapping | None) -> Figure:
    """为上年执行数的…%: as the 合计 row's 说明 prints it, else computed from 预算数 and 上年执行数."""
    found = RATIO.search(whole.get("note") or "") if whole is not None else None
    if found:
        return Figure.printed(found.group(1), "%", whole.get("line"))
    b, p = grand.budget, grand.prior
    if not (b.stated and p.stated) or not p.value:
        return Figure.missing("%")
    return Figure(b.value / p.to(b.unit).value * 100, "%", 2, "computed", how=DERIVED)


def _check(whole: Mapping, own: Mapping, item_rows: list) -> str:
    """The document's 合计 beside the sum of its parts: checked with rounding in mind, never added."""
    parts = checks.total_parts(list(own.values()), item_rows)
    said = []
    for key, alias, label in (("budget", "budget", amount_of(whole.get("basis"))), ("prior_actual", "prior_actual", "上年执行数")):
        figure = figure_of(whole, alias, None, money=True)
        if not figure.stated:
            continue
        finding = checks.compare_total("transfers.csv", "合计", whole, parts, key, label)
        verdict = "与分项加总一致" if finding is None else f"与分项加总不一致：{finding.message}"
        said.append(f"文件所列{label}合计 {card_text(figure)}，{verdict}")
    text = "；".join(said)
    note = whole.get("note") or ""
    return f"{text}。{note}" if note and text else (note or text)


# ---------------------------------------------------------------- sentences




def _magnitude(figure: Figure) -> Figure:
    return replace(figure, value=abs(figure.value))


def say_change(change: Figure) -> str:
    """「减少10674万元」/「增加…」/「持平」, or 增减未公布."""
    if not change.stated:
        return f"增减{MISSING}"
    if change.text(with_unit=False).lstrip("-").strip("0.") == "":
        return "持平" + (f"（{change.how or COMPUTED}）" if change.source == "computed" else "")
    return ("增加" if change.value > 0 else "减少") + say(_magnitude(change))


def versus_prior(change: Figure) -> str:
    """「比上年执行数减少2493万元」, 「与上年执行数持平」 (never 「比…持平」)."""
    said = say_change(change)
    return ("与上年执行数" if said.startswith("持平") else "比上年执行数") + said


def _reason(sentence: str, note: str) -> str:
    note = (note or "").strip().rstrip("。；;，, ")
    return f"{sentence}，{note}。" if note else f"{sentence}。"


def category_sentence(line: Line, amount: str = "预算数") -> str:
    """「一般性转移支付1722万元，比上年执行数减少2493万元，减少59.15%，主要是……。」"""
    name = line.label
    if not line.budget.stated and not line.change.stated and not line.change_pct.stated:
        return f"{name}{amount}{MISSING}。"
    sentence = f"{name}{say(line.budget)}" if line.budget.stated else f"{name}{amount}{MISSING}"
    if not line.prior.stated:
        sentence += f"，上年执行数{MISSING}"
    if line.change.stated:
        sentence += f"，{versus_prior(line.change)}"
        if line.change_pct.stated and line.change.value != 0:
            sentence += f"，{'增长' if line.change.value > 0 else '减少'}{say(_magnitude(line.change_pct))}"
    elif line.change_pct.stated:
        up = line.change_pct.value > 0
        sentence += f"，比上年执行数{'增长' if up else '减少'}{say(_magnitude(line.change_pct))}"
    return _reason(sentence, line.note)


def total_sentence(m: TransfersModel) -> str:
    """「2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。」"""
    year, t = m.year, m.total
    if m.empty:
        return f"{year}年暂无{m.subject}数据。"
    head = f"{year}年{m.subject}{m.basis}{say(t.budget)}"
    if not t.budget.stated and not t.change.stated:
        why = f"（有类别的{m.amount}{MISSING}）" if not m.stated_total else ""
        why = f"（{unlisted_text(m)}）" if m.unlisted else why
        return f"{head}{why}，无法计算比上年执行数的增减。"
    if not t.prior.stated and not t.change.stated:
        return f"{head}，上年执行数{MISSING}，无法计算增减。"
    ratio = f"，为上年执行数的{say(m.ratio)}" if m.ratio.stated else ""
    return f"{head}，{versus_prior(t.change)}{ratio}。"


def unlisted_text(m: TransfersModel) -> str:
    """「文件未列税收返还、专项转移支付」: why there is no total to show."""
    return f"文件未列{'、'.join(m.unlisted)}"


def steps_sentence(m: TransfersModel) -> str:
    """「与上年执行数相比，税收返还减少3330万元，……，合计减少10674万元。」: the waterfall in words."""
    if m.empty or not m.categories:
        return f"{m.year}年暂无{m.subject}数据。"
    steps = "，".join(f"{c.category}{say_change(c.change)}" for c in m.categories)
    return f"与上年执行数相比，{steps}，{m.subset}合计{say_change(m.total.change)}。"


def _sentences(m: TransfersModel) -> dict[str, tuple[str, ...]]:
    return {
        "total": (total_sentence(m),) + tuple(category_sentence(c, m.amount) for c in m.categories),
        "steps": (steps_sentence(m),),
    }


# ---------------------------------------------------------------- for the charts



def chart_frame(m: TransfersModel) -> pd.DataFrame:
    """The categories as the charts draw them: floats in 万元, the change as shown in the table, and
    beside each figure the Figure itself (budget_figure …), which the labels show as printed; the
    total the page shows (the document's 合计, or the sum of the categories) in attrs["total"], and
    what its budget is called (预算数, 决算数 …: the 口径) in attrs["amount"]."""
    pct = lambda f: float(f.value) if f.stated else None  # noqa: E731
    frame = pd.DataFrame(
        {
            "category": [c.category for c in m.categories],
            "budget": [wan(c.budget) for c in m.categories],
            "prior_actual": [wan(c.prior) for c in m.categories],
            "change": [wan(c.change) for c in m.categories],
            "change_pct": [pct(c.change_pct) for c in m.categories],
            "note": [c.note for c in m.categories],
        },
        columns=["category", "budget", "prior_actual", "change", "change_pct", "note"],
    ).astype({"budget": float, "prior_actual": float, "change": float, "change_pct": float})
    for column, attr in FIGURE_COLUMNS:
        frame[f"{column}_figure"] = pd.Series([getattr(c, attr) for c in m.categories], index=frame.index, dtype=object)
    frame.attrs["total"] = m.total
    frame.attrs["amount"] = m.amount
    frame.attrs["unlisted"] = unlisted_text(m) if m.unlisted else ""
    return frame


FIGURE_COLUMNS = (("budget", "budget"), ("prior_actual", "prior"), ("change", "change"), ("change_pct", "change_pct"))
