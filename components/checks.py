"""Checks of the published figures (warnings, never errors), aware of rounding.

A figure printed with two decimals stands for an interval (4.50 → [4.495, 4.505]); sums,
differences and ratios of such figures are intervals too. A statement is flagged only
when no values inside those intervals could make it true.

The checks walk plain row dicts grouped once, so a 100,000-row file is checked in
linear time.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from components import monitor_checks, vocab
from components.data import BASE_UNIT, MONEY_FACTORS, SCHEMAS, Dataset, Problem, margin, money_unit
from components.data.cells import printed_column
from components.figures import Figure, exact, round_half_up
from components.theme import fmt_number

Interval = tuple[float, float]
Row = Mapping  # a row as a dict (or a pandas Series)

# What is checked, per page, in the words of the 数据核验 panel.
CHECKED = {
    "transfers": "转移支付合计与各类别之和、类别与明细项目之和、所列增减额和增减率与预算数和上年执行数",
    "debt": "债务合计与一般债务、专项债务之和，还本付息与还本、付息之和，余额是否超过限额",
    "performance": "评价等级分布（grades.csv）与评价对象清单中的等级（evaluations.csv），所列占比与数量",
}


@dataclass(frozen=True)
class Finding(Problem):
    """A published figure that disagrees with the others, whatever the rounding.

    Besides file and lines it says which rows it is about, so that the page showing
    those rows can mark the card or chart concerned.
    """

    level: str = "warning"
    section: str = ""  # transfers | debt | performance: the page that shows the rows
    year: int | None = None
    region: str | None = None
    subject: str = ""  # the category, debt type or grade; 合计 for a stated total
    kind: str = ""  # total | items | change | limit | grades | shares
    lines: tuple[int, ...] = ()


def is_stated(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def interval(row: Row, column: str, bare_zero: float = 0.0) -> Interval | None:
    """The figure as the interval it stands for; `bare_zero` is the margin of a "0"."""
    value = row[column]
    if not is_stated(value):
        return None
    half = row.get(margin(column))
    if not is_stated(half):
        half = bare_zero if value == 0 else 0.0
    return value - half, value + half


def intervals(figures: Sequence[tuple[Row, str]]) -> list[Interval | None]:
    """Figures compared with each other; a bare "0" takes the coarsest precision among them
    (0.00 in a table of 4.50 and 56.21, 0 in a table of whole 万元)."""
    known = [row.get(margin(column)) for row, column in figures if is_stated(row[column])]
    bare_zero = max((m for m in known if is_stated(m)), default=0.0)
    return [interval(row, column, bare_zero) for row, column in figures]


def add(parts: Iterable[Interval]) -> Interval:
    parts = list(parts)
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def overlap(a: Interval, b: Interval) -> bool:
    # A hair of tolerance for binary floating point (0.1 + 0.2 ≠ 0.3).
    eps = 1e-9 * max(1.0, abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]))
    return a[0] <= b[1] + eps and b[0] <= a[1] + eps


def gap(a: Interval, b: Interval) -> float:
    return max(a[0] - b[1], b[0] - a[1], 0.0)


def change_pct(budget: Interval, prior: Interval) -> Interval | None:
    """Range of (budget − prior) / prior × 100 over both intervals; None when prior may be 0.

    The ratio is monotonic in each argument on either side of 0, so the corners bound it.
    """
    if prior[0] <= 0 <= prior[1]:
        return None
    values = [(b - p) / p * 100 for b, p in itertools.product(budget, prior)]
    return min(values), max(values)


def amounts(*values: float, unit: str | None = None) -> list[str]:
    """Amounts for one finding, all in one unit: the row's own, else the one that reads best."""
    if unit is None:
        unit = "亿元" if max(abs(v) for v in values) >= 1e4 else BASE_UNIT
    factor = MONEY_FACTORS[unit]
    return [f"{fmt_number(v / factor, 4)} {unit}" for v in values]


def unit_of(row: Row) -> str | None:
    """The money unit the row's 单位 cell names (None when empty: the header's, or 万元)."""
    return money_unit(str(row.get("unit") or ""))


def warn(
    file: str, lines: Iterable[int], message: str, column: str | None = None, at: int | None = None, **about
) -> Finding:
    """A finding about `lines`, reported on the first of them unless `at` names another."""
    lines = tuple(sorted(set(int(x) for x in lines)))
    where = "、".join(f"第{x}行" for x in lines)
    line = at if at is not None else lines[0] if lines else None
    return Finding(file, f"{message}（涉及{where}）", line, column, lines=lines, **about)


def records(frame: pd.DataFrame | Sequence[Row]) -> list[Row]:
    return frame.to_dict("records") if isinstance(frame, pd.DataFrame) else list(frame)


def grouped(rows: Iterable[Row], *keys: str) -> dict[tuple, list[Row]]:
    """Rows by the values of `keys`, groups and rows in file order."""
    groups: dict[tuple, list[Row]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in keys)].append(row)
    return groups


def compare_total(
    file: str,
    label: str,
    total: Row,
    parts: pd.DataFrame | Sequence[Row],
    column: str,
    column_label: str,
    **about,
) -> Finding | None:
    """A stated total against the sum of its parts, when every part is stated."""
    return compare_sum(file, label, total, column, [(row, column) for row in records(parts)], column_label, **about)


def compare_sum(
    file: str,
    label: str,
    total: Row,
    column: str,
    pieces: Sequence[tuple[Row, str]],
    column_label: str,
    parts_name: str = "分项",
    **about,
) -> Finding | None:
    """total[column] against the sum of the (row, column) pieces, when every piece is stated."""
    stated, *rest = intervals([(total, column), *pieces])
    if stated is None or not rest or any(p is None for p in rest):
        return None
    computed = add(rest)
    if overlap(stated, computed):
        return None
    said, summed, short = amounts(
        total[column], sum(r[c] for r, c in pieces), gap(stated, computed), unit=unit_of(total)
    )
    return warn(
        file,
        [total["line"], *(r["line"] for r, _ in pieces)],
        f"{label}的{column_label}为 {said}，而{parts_name}之和为 {summed}，考虑四舍五入后仍相差至少 {short}",
        column_label,
        **about,
    )


TRANSFER_COLUMNS = (("budget", "预算数"), ("prior_actual", "上年执行数"))


def check_transfers(frame: pd.DataFrame, file: str | None = None) -> list[Finding]:
    file = file or SCHEMAS["transfers"].file
    out: list[Finding | None] = []
    for (year, region), rows in grouped(records(frame), "year", "region").items():
        head = f"{year}年{region}"
        about = {"section": "transfers", "year": int(year), "region": region}
        own = [r for r in rows if r["item"] == ""]
        cats = [r for r in own if r["category"] != vocab.TOTAL]
        items = grouped((r for r in rows if r["item"] != "" and r["category"] != vocab.TOTAL), "category")
        parts = total_parts(cats, [r for its in items.values() for r in its])
        for total in (r for r in own if r["category"] == vocab.TOTAL):
            for column, label in TRANSFER_COLUMNS:
                out.append(
                    compare_total(
                        file, f"{head}合计", total, parts, column, label, subject=vocab.TOTAL, kind="total", **about
                    )
                )
        for cat in cats:
            listed = items.get((cat["category"],), [])
            for column, label in TRANSFER_COLUMNS:
                name, subject = f"{head}{cat['category']}", cat["category"]
                if not listed_in_part(cat, listed, column):
                    out.append(compare_total(file, name, cat, listed, column, label, subject=subject, kind="items", **about))
        for row in rows:
            name = f"{head}{row['category']}" + (f"「{row['item']}」" if row["item"] else "")
            out.extend(check_change(file, name, row, subject=row["category"], kind="change", **about))
    return [f for f in out if f]


def listed_in_part(category: Row, items: Sequence[Row], column: str) -> bool:
    """Items that may be the main ones only (中央 2010 names 4, 5,266 of 12,295.73 亿元): less than their
    category and no catch-all 「其他……」, which a whole list has. More than it is wrong either way."""
    if any(str(r["item"]).startswith("其他") for r in items):
        return False
    stated, *rest = intervals([(category, column), *((r, column) for r in items)])
    return stated is not None and bool(rest) and None not in rest and add(rest)[1] < stated[0]


def total_parts(categories: pd.DataFrame | Sequence[Row], items: pd.DataFrame | Sequence[Row]) -> list[Row]:
    """What a stated 合计 adds up: each category's own total row, or else all of its items."""
    categories, items = records(categories), records(items)
    named = {r["category"] for r in categories}
    return categories + [r for r in items if r["category"] not in named and r["category"] != vocab.TOTAL]


def check_change(file: str, label: str, row: Row, **about) -> list[Finding]:
    """The stated 增减额 and 增减率 against those computed from 预算数 and 上年执行数."""
    budget, prior, stated = intervals([(row, "budget"), (row, "prior_actual"), (row, "stated_change")])
    if budget is None or prior is None:
        return []
    out = []
    computed = (budget[0] - prior[1], budget[1] - prior[0])
    if stated is not None and not overlap(stated, computed):
        said, exact, short = amounts(
            row["stated_change"], row["budget"] - row["prior_actual"], gap(stated, computed), unit=unit_of(row)
        )
        out.append(
            warn(
                file,
                [row["line"]],
                f"{label}所列增减额 {said} 与预算数减上年执行数 {exact} 不符，考虑四舍五入后仍相差至少 {short}",
                "增减额",
                **about,
            )
        )
    # A rate of "0" is as precise as a whole percent: nothing beside it says otherwise.
    stated_pct, computed_pct = interval(row, "stated_change_pct", 0.5), change_pct(budget, prior)
    if stated_pct is not None and computed_pct is not None and not overlap(stated_pct, computed_pct):
        exact = (row["budget"] - row["prior_actual"]) / row["prior_actual"] * 100
        out.append(
            warn(
                file,
                [row["line"]],
                f"{label}所列增减率 {fmt_number(row['stated_change_pct'])}% 与计算值 "
                f"{fmt_number(exact)}% 不符，考虑四舍五入后仍相差至少 "
                f"{fmt_number(gap(stated_pct, computed_pct), 3)} 个百分点",
                "增减率",
                **about,
            )
        )
    return out


DEBT_COLUMNS = (
    ("limit", "限额"),
    ("balance", "余额"),
    ("new_bonds", "新增债券"),
    ("refinancing_bonds", "再融资债券"),
    ("principal_repaid", "还本"),
    ("interest_paid", "付息"),
)


def check_debt(frame: pd.DataFrame, file: str | None = None) -> list[Finding]:
    file = file or SCHEMAS["debt"].file
    out: list[Finding | None] = []
    for (year, region), rows in grouped(records(frame), "year", "region").items():
        about = {"section": "debt", "year": int(year), "region": region}
        types = [r for r in rows if r["debt_type"] in vocab.DEBT_TYPES]
        for total in (r for r in rows if r["debt_type"] == vocab.TOTAL):
            if len(types) == len(vocab.DEBT_TYPES):
                for column, label in DEBT_COLUMNS:
                    out.append(
                        compare_total(
                            file,
                            f"{year}年{region}债务合计",
                            total,
                            types,
                            column,
                            label,
                            subject=vocab.TOTAL,
                            kind="total",
                            **about,
                        )
                    )
        out.extend(check_debt_service(file, f"{year}年{region}", rows, types, about))
        for row in rows:
            balance, limit = intervals([(row, "balance"), (row, "limit")])
            if balance and limit and balance[0] > limit[1]:
                said, cap, over, short = amounts(
                    row["balance"], row["limit"], row["balance"] - row["limit"], gap(balance, limit), unit=unit_of(row)
                )
                out.append(
                    warn(
                        file,
                        [row["line"]],
                        f"{year}年{region}{row['debt_type']}余额 {said} 超过限额 {cap}，超出 {over}"
                        f"（考虑四舍五入后至少 {short}）",
                        "余额",
                        subject=row["debt_type"],
                        kind="limit",
                        **about,
                    )
                )
    return [f for f in out if f]


SERVICE_PARTS = ("principal_repaid", "interest_paid")


def check_debt_service(file: str, head: str, rows: list[Row], types: list[Row], about: dict) -> list[Finding | None]:
    """A printed 还本付息 against 还本 + 付息: its own row's, else (on 合计) every type's."""
    out = []
    for row in rows:
        if not is_stated(row.get("debt_service")):
            continue
        if all(is_stated(row.get(c)) for c in SERVICE_PARTS):
            pieces = [(row, c) for c in SERVICE_PARTS]
        elif row["debt_type"] == vocab.TOTAL and len(types) == len(vocab.DEBT_TYPES):
            pieces = [(t, c) for t in types for c in SERVICE_PARTS]
        else:
            continue
        label = f"{head}{row['debt_type']}"
        about_row = {"at": row["line"], "subject": row["debt_type"], "kind": "total", **about}
        out.append(compare_sum(file, label, row, "debt_service", pieces, "还本付息", "还本与付息", **about_row))
    return out


def compared_evaluations(evaluations: pd.DataFrame, grades: pd.DataFrame) -> pd.DataFrame:
    """The evaluations check_grades looks at: of a year, region and method that grades.csv states
    and evaluations.csv grades. A province's other millions of rows are never turned into dicts."""
    keys = ["year", "region", "method"]
    if not isinstance(evaluations, pd.DataFrame) or not isinstance(grades, pd.DataFrame) or evaluations.empty:
        return evaluations
    graded = pd.MultiIndex.from_frame(evaluations.loc[evaluations["grade"] != "", keys]).unique()
    wanted = pd.MultiIndex.from_frame(grades[keys]).unique().intersection(graded)
    return evaluations[pd.MultiIndex.from_frame(evaluations[keys]).isin(wanted)]


def check_grades(
    evaluations: pd.DataFrame, grades: pd.DataFrame, file: str | None = None, evaluations_file: str | None = None
) -> list[Finding]:
    """Published grade counts against graded evaluations of the same year, region and method.

    Compared only where evaluations.csv grades some of them; an ungraded evaluation may
    have any grade, so each count is checked against a range.
    """
    file = file or SCHEMAS["grades"].file
    evaluations_file = evaluations_file or SCHEMAS["evaluations"].file
    listed = grouped(records(compared_evaluations(evaluations, grades)), "year", "region", "method")
    out = []
    for (year, region, method), rows in grouped(records(grades), "year", "region", "method").items():
        group = listed.get((year, region, method), [])
        counted = Counter(r["grade"] for r in group if r["grade"])
        if not counted:
            continue
        ungraded = sum(1 for r in group if not r["grade"])
        about = {"section": "performance", "year": int(year), "region": region, "kind": "grades"}
        head = f"{year}年{region}{method}"
        stated = {r["grade"]: r for r in rows if r["grade"] != vocab.TOTAL}  # a printed 合计 is not a grade
        for grade in vocab.ordered([*stated, *counted], vocab.GRADES):
            low = counted.get(grade, 0)
            high = low + ungraded
            where = "、".join(str(r["line"]) for r in group if r["grade"] == grade)
            has = f"{evaluations_file} 中有 {low} 个" + (f"（第{where}行）" if where else "")
            if ungraded:
                has += f"，另有 {ungraded} 个未列等级"
            row = stated.get(grade)
            if row is None:
                out.append(
                    warn(
                        file,
                        [r["line"] for r in rows],
                        f"{head}未列出等级为{grade}的评价数，而{has}",
                        "等级",
                        subject=grade,
                        **about,
                    )
                )
                continue
            if not is_stated(row["count"]):
                continue  # a share only states no count to compare
            n = int(row["count"])
            if not low <= n <= high:
                short = low - n if n < low else n - high
                out.append(
                    warn(
                        file,
                        [row["line"]],
                        f"{head}等级为{grade}的评价数为 {n} 个，而{has}，相差至少 {short} 个",
                        "数量",
                        subject=grade,
                        **about,
                    )
                )
    return out


SHARE = "share_pct"


def share_of(row: Row) -> Figure | None:
    """A stated 占比 as printed: its printed text, else its value at the precision its margin gives."""
    text = row.get(printed_column(SHARE))
    if isinstance(text, str) and text:
        return Figure.printed(text, "%", row["line"])
    value, half = exact(row.get(SHARE)), row.get(margin(SHARE))
    if value is None:
        return None
    decimals = -Decimal(repr(float(2 * half))).adjusted() if is_stated(half) else 0
    return Figure(value, "%", max(decimals, 0), "printed", (int(row["line"]),))


def half_of(share: Figure) -> Fraction:
    return Fraction(5, 10 ** (share.decimals + 1))


def partitions(by_grade: Mapping[str, Row]) -> list[list[Row]]:
    """The ways the grade rows divide the evaluations without counting one twice: 优良 in place of
    优 and 良, else 优 and 良 in place of 优良 when both are listed."""
    combined = [g for g in by_grade if g in vocab.GRADE_COVERS]
    parts = {p for g in combined for p in vocab.GRADE_COVERS[g]}
    out = [[r for g, r in by_grade.items() if g not in parts]]
    if combined and parts <= set(by_grade):
        out.append([r for g, r in by_grade.items() if g not in combined])
    return out


def shares_total(rows: Sequence[Row], by_grade: Mapping[str, Row]) -> tuple[int, str, bool] | None:
    """How many evaluations the shares are of, what says so, and whether it is printed: a 合计 row's
    count, else the counts of the grades when every one (优良 once) states a count."""
    for row in rows:
        if row["grade"] == vocab.TOTAL and is_stated(row["count"]):
            return int(row["count"]), f"第{row['line']}行合计 {int(row['count'])} 个", True
    for part in partitions(by_grade):
        if part and all(is_stated(r["count"]) for r in part):
            n = sum(int(r["count"]) for r in part)
            return n, f"{'、'.join(r['grade'] for r in part)}数量之和 {n} 个", False
    return None


def fits_more(pairs: Sequence[tuple[int, Figure, Row]], n: int) -> bool:
    """Whether every share, as rounded half up, is its count out of one total greater than `n`:
    the grades listed are then part of a larger distribution (only 优良 4 个、占80% of 5)."""
    low, high = Fraction(n), None  # the total m: low < m <= high
    for count, share, _ in pairs:
        s, h = Fraction(share.value), half_of(share)
        if count == 0:
            if s - h > 0:
                return False
            continue
        low = max(low, Fraction(count * 100) / (s + h))  # count / m × 100 < s + h
        if s - h > 0:
            bound = Fraction(count * 100) / (s - h)  # count / m × 100 >= s − h
            high = bound if high is None else min(high, bound)
    return high is None or math.floor(low) + 1 <= high


def check_shares(grades: pd.DataFrame, file: str | None = None) -> list[Finding]:
    """Stated shares (占比) against the counts of the same year, region and method, and against 100%
    where the grades listed are the whole distribution; rounding half up at the printed decimals."""
    file = file or SCHEMAS["grades"].file
    out = []
    for (year, region, method), rows in grouped(records(grades), "year", "region", "method").items():
        about = {"section": "performance", "year": int(year), "region": region, "kind": "shares"}
        head = f"{year}年{region}{method}"
        by_grade = {r["grade"]: r for r in rows if r["grade"] != vocab.TOTAL}
        found = shares_against_counts(file, head, rows, by_grade, about)
        out.extend(found or shares_sum(file, head, by_grade, about))
    return out


def shares_against_counts(
    file: str, head: str, rows: Sequence[Row], by_grade: Mapping[str, Row], about: dict
) -> list[Finding]:
    out = []
    for row in rows:
        share = share_of(row) if row["grade"] == vocab.TOTAL else None
        if share is not None and share.value != round_half_up(Decimal(100), share.decimals):
            out.append(
                warn(
                    file,
                    [row["line"]],
                    f"{head}合计的占比为 {share.text()}，而合计应为 100%",
                    "占比",
                    subject=vocab.TOTAL,
                    **about,
                )
            )
    known = shares_total(rows, by_grade)
    if known is None or known[0] == 0:
        return out
    n, basis, printed = known
    stated = ((r, share_of(r)) for r in by_grade.values() if is_stated(r["count"]))
    pairs = [(int(r["count"]), share, r) for r, share in stated if share is not None]
    # Counts summed, not printed as a 合计, may be part of a larger distribution: 优良 4 个、占80% alone.
    if not printed and vocab.unlisted_grades(by_grade) and fits_more(pairs, n):
        return out
    for count, share, row in pairs:
        pct = Decimal(count * 100) / Decimal(n)  # exact where a half-up tie can be: a tie terminates
        computed = round_half_up(pct, share.decimals)
        if share.value == computed:
            continue
        digits = f"{share.decimals}位小数" if share.decimals else "整数"
        exact_pct = round_half_up(pct, share.decimals + 2)
        out.append(
            warn(
                file,
                [row["line"]],
                f"{head}等级为{row['grade']}的占比为 {share.text()}，而按数量计算应为 {computed:f}%"
                f"（{count} 个 ÷ {basis} = {fmt_number(float(exact_pct), 4)}%，四舍五入保留{digits}）",
                "占比",
                subject=row["grade"],
                **about,
            )
        )
    return out


def shares_sum(file: str, head: str, by_grade: Mapping[str, Row], about: dict) -> list[Finding]:
    """The shares of the grades (优良 once) against 100%, allowing half a unit of each; a sum under 100%
    is a finding only when every grade is listed (else the grades may be part of the distribution)."""
    for part in partitions(by_grade):
        shares = [share_of(r) for r in part]
        if not part or any(s is None for s in shares):
            continue
        bare = [s.value == 0 and s.decimals == 0 for s in shares]  # a bare 0 takes the others' precision
        coarsest = max((half_of(s) for s, b in zip(shares, bare, strict=True) if not b), default=Fraction(1, 2))
        tolerance = sum((coarsest if b else half_of(s) for s, b in zip(shares, bare, strict=True)), Fraction(0))
        summed = sum((Fraction(s.value) for s in shares), Fraction(0))
        short = abs(summed - 100) - tolerance
        if short <= 0 or (summed < 100 and vocab.unlisted_grades(by_grade)):
            return []
        last = max(int(r["line"]) for r in part)
        names = "、".join(f"{r['grade']} {s.text()}" for r, s in zip(part, shares, strict=True))
        return [
            warn(
                file,
                [r["line"] for r in part],
                f"{head}各等级占比之和为 {fmt_number(float(summed), 4)}%（{names}），"
                f"考虑四舍五入后仍与 100% 相差至少 {fmt_number(float(short), 4)} 个百分点",
                "占比",
                at=last,
                subject="占比",
                **about,
            )
        ]
    return []


def check_all(frames: Mapping[str, pd.DataFrame], names: Mapping[str, str] | None = None) -> list[Finding]:
    """Every check; `names` gives the file names to report where they are not the contract's."""
    names = names or {}

    def file(name: str) -> str:
        return names.get(name, SCHEMAS[name].file)

    return [
        *check_transfers(frames["transfers"], file("transfers")),
        *check_debt(frames["debt"], file("debt")),
        *check_grades(frames["evaluations"], frames["grades"], file("grades"), file("evaluations")),
        *check_shares(frames["grades"], file("grades")),
        *(warn(**w) for w in monitor_checks.check_targets(frames["targets"], file("targets"))),
        *(warn(**w) for w in monitor_checks.check_execution(frames["execution"], file("execution"))),
        *(warn(**w) for w in monitor_checks.check_printed_rate(frames["targets"], frames["execution"], file("targets"))),
    ]


def check_dataset(dataset: Dataset) -> list[Finding]:
    """Every check of one snapshot's files, under the names the snapshot reports them by."""
    return check_all(dict(dataset.frames), dataset.names)


def findings(dataset: Dataset) -> list[Finding]:
    """The findings of a snapshot: a value derived from it, computed once and shared by every viewer.

    The loader never imports this module; the app hands this function to DataSource as its
    `prepare` hook, so the checks run in the background, not on the first request that shows them."""
    return dataset.derived("findings", check_dataset)
