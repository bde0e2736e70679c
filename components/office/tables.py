"""Each section's figures as the published table: title, 单位, header, rows, 合计, 来源, 发布日期.

The workbook, the Word report and the PDF all render these tables; they are read from the
section models (components/sections/*) for the deck's views and compute nothing of their own.
A section adds its tables by appending a builder `(dataset, deck) -> list[Table]` to BUILDERS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from components import debt, monitor_export, performance, transfers
from components import monitor as monitor_page
from components.briefing import Deck
from components.data import Dataset
from components.figures import MISSING, Figure, how_computed
from components.layout import section_rows
from components.sections import debt as debt_model
from components.sections.debt import figure_of
from components.sections.monitor import MonitorModel
from components.sections.performance import indicator_figure, number

Cell = Figure | str | int | float | None


@dataclass(frozen=True)
class Table:
    sheet: str  # the sheet's name (at most 31 characters)
    title: str  # 「株洲经开区2023年税收返还和转移支付预算表」
    unit: str  # the 单位 line (「万元」); "" when the columns carry their own units
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    section: str = ""  # 转移支付 · 政府债务 · 绩效管理: the deck section it belongs to
    totals: int = 0  # how many of the last rows are 合计 rows
    sources: tuple[str, ...] = ()
    filtered: str = ""  # what the view was filtered by, said under the title
    notes: tuple[str, ...] = ()
    indent: frozenset[int] = field(default_factory=frozenset)  # rows that are line items (「其中」)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))


def publication(dataset: Dataset, sources) -> tuple[str, str]:
    """(发布机关, 发布日期) of the sources as sources.csv names them ("" where it does not)."""
    known = {row["source"]: row for row in dataset.frame("sources").to_dict("records")}
    rows = [known[s] for s in sources if s in known]
    pick = lambda key: "；".join(dict.fromkeys(str(r.get(key) or "") for r in rows if r.get(key)))  # noqa: E731
    return pick("publisher"), pick("published")


def published_line(dataset: Dataset, table: Table) -> list[str]:
    """The lines under a table: 来源, 发布日期 (as sources.csv gives it, else 未公布)."""
    publisher, date = publication(dataset, table.sources)
    lines = [f"来源：{'；'.join(table.sources) or '数据文件未注明来源'}"]
    if publisher:
        lines.append(f"发布机关：{publisher}")
    lines.append(f"发布日期：{date or MISSING}")
    return lines + list(table.notes)


def joined(*parts: str) -> str:
    """Notes in one cell: 「……差异；上年执行数为计算值」 (no 「。；」 between them)."""
    kept = [p for p in parts if p]
    return "；".join([p.rstrip("。") for p in kept[:-1]] + kept[-1:])


def _filtered(subset: str) -> str:
    return f"筛选：本表只含{subset}（看板筛选条件），不是全部。" if subset else ""


def transfer_tables(dataset: Dataset, deck: Deck) -> list[Table]:
    state = deck.views.get("transfers")
    if state is None:
        return []
    m = transfers.model_for(dataset, state.year, deck.region, list(state.get("category")), state.unit)
    u, rows, indent = m.unit, [], set()
    for line in [c for c in m.categories for c in (c, *m.items_of(c.category))]:
        if line.item:
            indent.add(len(rows))
        label = f"其中：{line.item}" if line.item else line.category
        shown = [line.budget.to(u), line.prior.to(u), line.change.to(u), line.change_pct]
        rows.append((label, *shown, joined(line.note, how_computed(line.named(m.amount)))))
    t = m.total
    note = joined(m.total_note, how_computed(t.named(m.amount)))  # as the page's table
    rows.append((f"{m.subset}合计", t.budget.to(u), t.prior.to(u), t.change.to(u), t.change_pct, note))
    return [
        Table(
            "转移支付",
            f"{deck.region or ''}{m.year}年税收返还和转移支付{m.basis}表",
            u,
            ("项目", m.amount, "上年执行数", "增减额", "增减率（%）", "说明"),
            tuple(rows),
            "转移支付",
            1,
            m.sources,
            _filtered(m.subset),
            indent=frozenset(indent),
        )
    ]


def debt_tables(dataset: Dataset, deck: Deck) -> list[Table]:
    state = deck.views.get("debt")
    if state is None:
        return []
    m = debt_model.model(dataset, state.year, deck.region, list(state.get("debt_type")), state.unit)
    # Each note on the row it came from: a type's on the type's, the rest on 合计.
    kinds = [(t.name, t.figures, t.term, t.rate, t.note) for t in m.types]
    rest = [n for n in m.notes if n not in {t.note for t in m.types}]
    rest = [m.why_no_total, *rest] if m.why_no_total else rest
    kinds.append((f"{m.subset}合计" if m.subset else "合计", m.totals, m.term, m.rate, joined(*rest) if rest else ""))
    columns = [("limit", "限额"), ("new_limit", "新增限额"), ("balance", "余额"), *debt.FLOWS]
    columns += [("debt_service", "还本付息")]
    # 新增限额 and 还本付息 only where the document gives them: most notices print neither.
    columns = [
        (c, label)
        for c, label in columns
        if c not in ("new_limit", "debt_service") or any(k[1][c].stated for k in kinds)
    ]
    rows = []
    for name, figures, term, rate, own in kinds:
        cells: list[Cell] = [name]
        for column, _label in columns:
            figure = figures[column]
            no_limit = column == "limit" and m.limit == "none" and not figure.stated
            cells.append(debt_model.NO_LIMIT if no_limit else figure)
        rows.append((*cells, term, rate, joined(how_computed((label, figures[c]) for c, label in columns), own)))
    if not m.types and not any(f.stated for f in m.totals.values()):
        return []
    # 平均期限 and 平均利率 only where the document gives one (the seed does; 台江 gives neither).
    keep = [i for i in range(len(rows[0])) if i not in (len(rows[0]) - 3, len(rows[0]) - 2)]
    keep += [i for i in (len(rows[0]) - 3, len(rows[0]) - 2) if any(r[i].stated for r in rows)]
    keep.sort()
    return [
        Table(
            "政府债务",
            f"{deck.region or ''}{m.year}年地方政府债务限额及余额情况表",
            m.unit,
            tuple(
                h
                for i, h in enumerate(
                    ("债务类型", *(lb for _c, lb in columns), "平均期限（年）", "平均利率（%）", "说明")
                )
                if i in keep
            ),
            tuple(tuple(r[i] for i in keep) for r in rows),
            "政府债务",
            1,
            m.sources,
            _filtered(m.subset),
        )
    ]


def performance_tables(dataset: Dataset, deck: Deck) -> list[Table]:
    state = deck.views.get("performance")
    if state is None:
        return []
    py, region = state.year, deck.region
    methods, target_types, grade = (list(state.get(n)) for n in ("method", "target_type", "grade"))
    m = performance.model(dataset, py, region, methods, target_types, grade, state.unit)
    listed = performance.listed_rows(dataset, py, region, methods, target_types, grade).to_dict("records")
    where = _filtered(m.subset)
    head = f"{region or ''}{py}年"
    tables = [
        Table(
            "绩效评价对象",
            f"{head}绩效评价对象情况表",
            m.unit,
            ("评价方式", "对象类型", "评价对象", "涉及金额", "得分（分）", "等级", "说明"),
            tuple(
                (
                    r["method"],
                    r["target_type"],
                    r["target"],
                    figure_of(r, "amount", m.unit, money=True),
                    number(r, "score", "分"),
                    r["grade"] or MISSING,
                    r["note"],
                )
                for r in listed
            ),
            "绩效管理",
            sources=m.sources,
            filtered=where,
        )
    ]
    rows = []
    for method in m.graded:  # one block per method: methods are never added together
        for g in method.grades:
            note = (m.subset and f"仅{m.subset}的部分") or how_computed((("涉及金额", g.amount),))
            rows.append((method.name, g.grade, g.count, g.share, g.amount, method.source_file, note))
    tables.append(
        Table(
            "评价等级分布",
            f"{head}绩效评价结果等级分布表",
            m.unit,
            ("评价方式", "等级", "数量（个）", "占比（%）", "涉及金额", "依据", "说明"),
            tuple(rows),
            "绩效管理",
            sources=m.sources,
            filtered=where,
        )
    )
    indicators = section_rows(dataset, "indicators", "绩效管理", py, region).to_dict("records")
    figures = [indicator_figure(r, state.unit) for r in indicators]
    tables.append(
        Table(
            "绩效指标",
            f"{head}预算绩效管理指标表",
            "",
            ("指标", "数值", "单位", "说明"),
            tuple((r["indicator"], f, f.unit, r["note"]) for r, f in zip(indicators, figures, strict=True)),
            "绩效管理",
            sources=tuple(dict.fromkeys(r["source"] for r in indicators if r.get("source"))),
        )
    )
    return tables


def monitor_tables(dataset: Dataset, deck: Deck) -> list[Table]:
    """The tables as office.tables lays them out (workbook, Word, PDF), for the deck's view."""
    state = deck.views.get("monitor")
    return monitor_tables_of(monitor_page.model(dataset, state)) if state is not None else []


def monitor_tables_of(m: MonitorModel) -> list[Table]:
    """The same, from a model already built (the Word chapter has one): a model costs about a second."""
    if m.empty:
        return []
    return [
        Table(
            sheet,
            title,
            "",
            tuple(frame.columns),
            tuple(map(tuple, frame.itertuples(index=False))),
            monitor_export.SECTION,
            0,
            sources,
        )
        for sheet, title, frame, sources in monitor_export.tables(m)
        if len(frame)
    ]


# The sections' tables in the report's order; a new section appends its builder here.
BUILDERS: list[Callable[[Dataset, Deck], list[Table]]] = [
    transfer_tables,
    debt_tables,
    performance_tables,
    monitor_tables,
]


def section_tables(dataset: Dataset, deck: Deck) -> list[Table]:
    """Every table of the deck's view that has rows, in the report's order."""
    return [t for build in BUILDERS for t in build(dataset, deck) if t.rows]


def view_tables(dataset: Dataset, deck: Deck) -> list[tuple[str, pd.DataFrame]]:
    """(sheet name, table) per section table, each as a DataFrame of its cells."""
    return [(t.sheet, t.frame()) for t in section_tables(dataset, deck)]
