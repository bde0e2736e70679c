"""政府债务 as one model: what the document prints, figure by figure, for one year and region.

Rules (../shared/docs/csv-contract.md, debt.csv): a 合计 row's figure is shown as printed, even
where the type rows leave it empty (notices often print 还本 and 付息 only as totals), and is
never added to them; a figure it does not print is the sum of the types shown, marked computed,
when all of them print it; otherwise 未公布. An empty limit is 未公布 and only an explicit 无单列限额
says there is none. Average term and rate are independent; a weighted average is marked computed.
A selection of debt types is a subset, and every sentence says which part it is.
The 口径 (basis) is said as the file gives it, the way budget documents print it (「债务余额预计执行数
4.79亿元」), and only where it is not the default 预算: the file states it, the page never guesses one.
A limit is a ceiling set, not an outturn, and is said without it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pandas as pd

from components import vocab
from components.data import Dataset
from components.figures import DERIVED, MISSING, Figure, exact, say, total
from components.filters import select

FIGURES = (
    "limit",
    "new_limit",
    "balance",
    "new_bonds",
    "refinancing_bonds",
    "principal_repaid",
    "interest_paid",
    "debt_service",
)
FLOWS = (("new_bonds", "新增债券"), ("refinancing_bonds", "再融资债券"), ("principal_repaid", "还本"), ("interest_paid", "付息"))
NO_LIMIT = "无单列限额"
BASE_UNIT = "万元"


@dataclass(frozen=True)
class DebtType:
    name: str
    figures: Mapping[str, Figure]
    term: Figure
    rate: Figure
    basis: str = vocab.BASIS_DEFAULT
    note: str = ""  # its own row's 说明 (「新增一般债券2734万元，用于小型水库安全运行」)


@dataclass(frozen=True)
class DebtModel:
    year: int | None
    region: str | None
    unit: str
    types: tuple[DebtType, ...]  # the types shown, in canonical order
    totals: Mapping[str, Figure]  # per figure: as printed on 合计, else computed from the types shown
    limit: str  # stated | none | missing
    notes: tuple[str, ...]
    term: Figure
    rate: Figure
    subset: str = ""  # "专项债务" when the view shows only part of the debt
    sources: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()
    sentences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    basis: str = vocab.BASIS_DEFAULT  # what kind of figures they are: 预算 · 调整预算 · 预计执行 · 执行 · 决算
    unlisted: tuple[str, ...] = ()  # the debt types the file does not give: no whole is summed without them

    @property
    def empty(self) -> bool:
        return not self.types and all(not f.stated for f in self.totals.values())

    @property
    def why_no_total(self) -> str:
        """「文件未列专项债务，不能加总」 where a total is missing for want of a type, else ""."""
        return f"文件未列{'、'.join(self.unlisted)}，不能加总" if self.unlisted else ""

    @property
    def usage(self) -> Figure:
        """余额为限额的…%: no notice prints it, so it is computed (and marked), or 未公布."""
        balance, limit = self.totals["balance"], self.totals["limit"]
        if self.limit != "stated" or not balance.stated or not limit.value:
            return Figure.missing("%")
        return Figure(balance.value / limit.to(balance.unit).value * 100, "%", 2, "computed", how=DERIVED)

    def labelled(self, label: str) -> str:
        """A card's label with the 口径 the file states: 「2022年末债务余额（决算数）」; as is for 预算."""
        word = basis_word(self.basis)
        return f"{label}（{word}）" if word else label

    @property
    def subject(self) -> str:
        """What the balance is of: the whole debt, or the part selected."""
        return self.subset or "地方政府债务"

    @property
    def debt(self) -> str:
        """「债务」, or the part selected: 「专项债务限额」, never 「专项债务债务限额」."""
        return self.subset or "债务"


def basis_of(whole: Mapping | None, rows: pd.DataFrame) -> str:
    """The 口径 of the figures: the 合计 row's, else the one most rows give (「2017年转移支付决算505万元」)."""
    if whole is not None and whole.get("basis"):
        return whole["basis"]
    kinds = [b for b in rows.get("basis", pd.Series(dtype=str)) if b]
    return max(dict.fromkeys(kinds), key=kinds.count) if kinds else vocab.BASIS_DEFAULT


def basis_word(basis: str) -> str:
    """「决算数」, 「预计执行数」 as documents print it after a figure's name; "" for the default 预算."""
    return "" if not basis or basis == vocab.BASIS_DEFAULT else f"{basis}数"


def printed_unit(rows: pd.DataFrame) -> str:
    """The unit the rows were printed in (the most common), the view's unit unless one is chosen."""
    units = [u for u in rows.get("unit", pd.Series(dtype=str)) if u]
    return max(dict.fromkeys(units), key=units.count) if units else BASE_UNIT


def figure_of(row: Mapping, alias: str, unit: str | None = None, money: bool | None = None) -> Figure:
    """One cell as a Figure in the unit it was printed in (or `unit`): its printed text where the
    loader kept it, else its value and rounding margin (4.50 亿元 has a margin of 0.005 亿元).
    `money`: whether the column is an amount (by default: one of the debt figures); a column
    ending in _pct is a percentage."""
    money = alias in FIGURES if money is None else money
    plain = "%" if alias.endswith("_pct") else {"avg_term_years": "年"}.get(alias, "")
    printed = row.get("unit") or BASE_UNIT if money else plain
    line = row.get("line")
    line = None if line is None or line != line else int(line)
    text = row.get(f"_p_{alias}")
    if isinstance(text, str) and text:
        figure = Figure.printed(text, printed, line)
    else:
        value = exact(row.get(alias))
        if value is None:
            return Figure.missing(unit or printed)
        margin = row.get(f"_m_{alias}")
        stored = BASE_UNIT if money else printed  # money is held in 万元
        if margin is None or margin != margin or not margin:  # a bare 0 shows no precision: that of its unit
            decimals = 0 if not money else Figure(value, printed).to(BASE_UNIT).decimals
        else:
            decimals = round(-math.log10(2 * margin))
        figure = Figure(value, stored, decimals, "printed", () if line is None else (line,))
        if money:
            figure = figure.to(printed)
    return figure.to(unit) if unit and money else figure


def model(dataset: Dataset, year, region, selected=(), unit: str | None = None) -> DebtModel:
    rows = select(dataset.frame("debt"), year, region)
    shown = unit or printed_unit(rows)
    selected = tuple(selected or ())
    records = rows.to_dict("records")
    stated = next((r for r in records if r["debt_type"] == vocab.TOTAL), None)
    by_name = {r["debt_type"]: r for r in records if r["debt_type"] != vocab.TOTAL}
    names = vocab.ordered([n for n in by_name if not selected or n in selected], vocab.DEBT_TYPES)
    types = tuple(
        DebtType(
            n,
            {a: figure_of(by_name[n], a, shown) for a in FIGURES},
            figure_of(by_name[n], "avg_term_years"),
            figure_of(by_name[n], "avg_rate_pct"),
            by_name[n].get("basis") or vocab.BASIS_DEFAULT,
            by_name[n].get("note") or "",
        )
        for n in names
    )
    # A 一般债务 table alone (published apart from the 专项债务 one) is not the whole debt; picking
    # every type such a file gives is a part too.
    unlisted = tuple(n for n in vocab.DEBT_TYPES if n not in by_name) if by_name else ()
    subset = "、".join(names) if selected and names and (set(names) != set(by_name) or unlisted) else ""
    whole = None if subset else stated  # the 合计 speaks for the whole debt only
    unlisted = () if subset else unlisted
    totals = {}
    for alias in FIGURES:
        printed = figure_of(whole, alias, shown) if whole is not None else Figure.missing(shown)
        summed = Figure.missing(shown) if unlisted else total([t.figures[alias] for t in types], shown)
        totals[alias] = printed if printed.stated else summed
    term, rate = _terms(whole, () if unlisted else types, totals["new_bonds"])
    notes = tuple(dict.fromkeys(n for n in rows["note"] if n)) if len(rows) else ()
    m = DebtModel(
        year,
        region,
        shown,
        types,
        totals,
        _limit_state(rows, totals["limit"]),
        notes,
        term,
        rate,
        subset,
        tuple(dict.fromkeys(s for s in rows["source"] if s)) if len(rows) else (),
        tuple(int(line) for line in rows["line"]) if len(rows) else (),
        basis=basis_of(whole, rows[rows["debt_type"].isin(names)] if len(rows) else rows),
        unlisted=unlisted,
    )
    return _with_sentences(m)


def _limit_state(rows: pd.DataFrame, limit: Figure) -> str:
    if limit.stated:
        return "stated"
    # Only an explicit 无单列限额 says there is none: an unprinted limit is just not stated.
    if "no_limit" in rows and rows["no_limit"].fillna(False).astype(bool).any():
        return "none"
    return "missing"


def _terms(whole: Mapping | None, types: tuple[DebtType, ...], issued: Figure) -> tuple[Figure, Figure]:
    """Average term and rate of the new bonds, each on its own: as printed for the whole (or the one
    type shown), else weighted by the types' new bonds and marked computed, else 未公布."""
    out = []
    for alias, attr in (("avg_term_years", "term"), ("avg_rate_pct", "rate")):
        printed = figure_of(whole, alias) if whole is not None else Figure.missing("")
        if not printed.stated and len(types) == 1:
            printed = getattr(types[0], attr)
        if not printed.stated:
            printed = _weighted(types, attr, issued)
        out.append(printed)
    return out[0], out[1]


def _weighted(types: tuple[DebtType, ...], attr: str, issued: Figure) -> Figure:
    parts = [(t.figures["new_bonds"], getattr(t, attr)) for t in types]
    parts = [(w, v) for w, v in parts if not (w.stated and w.value == 0)]  # a type with no new bonds weighs nothing
    if not parts or any(not w.stated or not v.stated for w, v in parts) or not issued.stated:
        return Figure.missing("")
    weight = sum((w.value for w, _ in parts), Decimal(0))
    if weight == 0:
        return Figure.missing("")
    value = sum((w.value * v.value for w, v in parts), Decimal(0)) / weight
    decimals = max(v.decimals for _, v in parts)
    return Figure(value, parts[0][1].unit, decimals, "computed")


# ---------------------------------------------------------------- sentences



def _parts(m: DebtModel, alias: str, noun: str = "", lead: str = "，其中") -> str:
    """「，其中一般债务余额4.50亿元，专项债务余额56.21亿元」, only for the types that print the figure;
    a type whose file row states a 口径 of its own, other than the whole's, says it (「余额决算数」).
    Types are named as the file names them (the seed: 「新增债务5.44亿元，其中一般债务0亿元」)."""
    if m.subset or (len(m.types) < 2 and m.totals[alias].stated):
        return ""
    said = [
        f"{t.name}{noun}{_own(m, t)}{t.figures[alias].text()}"
        for t in m.types
        if t.figures[alias].stated
    ]
    return lead + "，".join(said) if said else ""


def _with_parts(m: DebtModel, alias: str, head: str, kind: str, noun: str = "", gap: str = "；") -> str:
    """「2020年新增债券2.38亿元，其中一般债务1.38亿元…」; a total the file does not print is not
    said to be 未公布 before parts it does print (「2020年新增债券中，专项债务31300万元；合计未公布」)."""
    total = m.totals[alias]
    parts = _parts(m, alias, noun, lead="")
    if not total.stated and parts:
        return f"{head}中，{parts}{gap}合计{MISSING}"
    return f"{head}{kind}{say(total)}{_parts(m, alias, noun)}"


def _type_terms(m: DebtModel) -> str:
    """「一般债务平均期限8.0年、平均利率2.58%，专项债务…」: each type's own printed term and rate,
    said beside the whole's (a national notice prints them by type); "" for a part or a single type."""
    if m.subset or len(m.types) < 2:
        return ""
    said = []
    for t in m.types:
        terms = [f"平均期限{t.term.text(with_unit=False)}年"] if t.term.stated else []
        terms += [f"平均利率{t.rate.text()}"] if t.rate.stated else []
        if terms:
            said.append(t.name + "、".join(terms))
    return "，".join(said)


def _own(m: DebtModel, t: DebtType) -> str:
    return basis_word(t.basis) if t.basis != m.basis else ""


def _with_sentences(m: DebtModel) -> DebtModel:
    year, region = m.year, m.region or ""
    if m.empty:
        said = {"composition": (f"{year}年暂无政府债务数据。",), "flows": ()}
        return _replace(m, said)
    t, kind = m.totals, basis_word(m.basis)  # 「余额预计执行数4.79亿元」, as the documents print it
    why = f"（{m.why_no_total}）" if m.unlisted and not t["balance"].stated else ""
    balance = f"截至{year}年底，{region}{m.subject}余额{kind}{say(t['balance'])}{why}{_parts(m, 'balance', '余额')}。"
    if m.limit == "none":
        reason = "；".join(n.rstrip("。") for n in m.notes)
        limit = f"{region}无单列的政府债务限额" + (f"：{reason}。" if reason else "。")
    elif m.limit == "missing":
        limit = f"{region}{m.subset or '政府债务'}限额{MISSING}{_parts(m, 'limit', '限额')}，不计算限额使用率。"
    else:
        used = f"，余额为限额的{say(m.usage)}" if m.usage.stated else ""
        limit = f"{region}{m.subset or '政府债务'}限额{say(t['limit'])}{used}。"
    bonds = _with_parts(m, "new_bonds", f"{year}年{m.subset}新增债券", kind)
    if m.term.stated:
        bonds += f"，平均期限{m.term.text(with_unit=False)}年" + ("（加权计算）" if m.term.source == "computed" else "")
    if m.rate.stated:
        bonds += f"，平均利率{m.rate.text()}" + ("（加权计算）" if m.rate.source == "computed" else "")
    if typed := _type_terms(m):
        bonds += f"；{typed}"
    flows = [bonds + "。"]
    if t["refinancing_bonds"].stated or any(x.figures["refinancing_bonds"].stated for x in m.types):
        flows.append(_with_parts(m, "refinancing_bonds", f"{year}年{m.subset}再融资债券", kind) + "。")
    repaid = (
        f"{_with_parts(m, 'principal_repaid', '偿还债券本金', kind, gap='，')}；"
        f"{_with_parts(m, 'interest_paid', '支付债券利息', kind, '利息', gap='，')}。"
    )
    if t["debt_service"].stated:  # the printed total first, then its parts where any is known
        service = f"{year}年{m.subset}还本付息{kind}{say(t['debt_service'])}{_parts(m, 'debt_service')}"
        known = t["principal_repaid"].stated or t["interest_paid"].stated
        flows.append(f"{service}：{repaid}" if known else f"{service}。")
    else:
        flows.append(f"{year}年{m.subset}{repaid}")
    return _replace(m, {"composition": (balance, limit), "flows": tuple(flows)})


def _replace(m: DebtModel, sentences: dict) -> DebtModel:
    return replace(m, sentences=sentences)
