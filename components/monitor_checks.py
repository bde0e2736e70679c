"""绩效监控's checks of the published figures (warnings, never errors): 得分 above 分值, a printed
等级 outside its 90/80/60 band, 累计支出 falling from one month to the next, 执行率 over 100%.
checks.check_all turns each (file, lines, message, column, about) into a Finding with the others'."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from components.figures import FACTORS, decimals_of, exact
from components.sections.monitor import grade_of

SECTION = "monitor"


def warn(file: str, lines, message: str, column: str, **about) -> dict:
    """What checks.warn takes, so that this module needs nothing of checks.py (which imports it)."""
    return dict(file=file, lines=lines, message=message, column=column, **about)


def check_targets(frame: pd.DataFrame, file: str = "targets.csv") -> list[dict]:
    out = []
    for r in frame.to_dict("records"):
        about = dict(section=SECTION, year=int(r["year"]), region=r["region"], subject=r["agency"])
        score, weight = exact(r["_p_score"] or None), exact(r["_p_weight"] or None)
        if score is not None and weight is not None and score > weight:
            out.append(warn(file, [r["line"]], f"得分{score}高于分值{weight}", "得分", kind="score", **about))
        if r["grade"] and score is not None and r["level1"] == "总分" and grade_of(score) != r["grade"]:
            band = grade_of(score)
            message = f"文件所列等级「{r['grade']}」与得分{score}按90/80/60分划分的等级「{band}」不一致"
            out.append(warn(file, [r["line"]], message, "等级", kind="grade", **about))
    return out


def check_execution(frame: pd.DataFrame, file: str = "execution.csv") -> list[dict]:
    out = []
    for (year, region, agency, _project), rows in frame.groupby(["year", "region", "agency", "project"], sort=False):
        about = dict(section=SECTION, year=int(year), region=region, subject=agency)
        before = None
        for r in rows.sort_values("month").to_dict("records"):
            spent, budget = r["spent"], r["budget"]  # both held in 万元
            if spent == spent and budget == budget and budget > 0 and spent > budget:
                message = f"{int(r['month'])}月末累计支出高于全年预算数（执行率超过100%）"
                out.append(warn(file, [r["line"]], message, "累计支出", kind="over", **about))
            if spent == spent:
                if before is not None and spent < before[0]:
                    message = f"累计支出比{int(before[2])}月末减少（累计数应逐月不减）"
                    out.append(
                        warn(file, [before[1], r["line"]], message, "累计支出", at=r["line"], kind="falling", **about)
                    )
                before = (spent, r["line"], r["month"])
    return out


def check_printed_rate(targets: pd.DataFrame, execution: pd.DataFrame, file: str = "targets.csv") -> list[dict]:
    """A 预算执行率 printed in a 自评表 (targets.csv, 一级指标 预算执行) against 累计支出 ÷ 全年预算数 at
    12月 in execution.csv, allowing for the printed rounding (86.19% stands for 86.185–86.195)."""
    out = []
    if targets.empty or execution.empty:
        return out
    december = execution[execution["month"] == 12]
    spent = {(r["year"], r["region"], r["agency"], r["project"]): r for r in december.to_dict("records")}
    for r in targets[targets["level1"] == "预算执行"].to_dict("records"):
        row = spent.get((r["year"], r["region"], r["agency"], r["project"]))
        text = r["actual"].strip().removesuffix("%")
        printed_rate = exact(text or None)
        if row is None or printed_rate is None or not row["budget"] or row["spent"] != row["spent"]:
            continue
        rate = exact(row["_p_spent"]) * FACTORS[row["unit"]] / (exact(row["_p_budget"]) * FACTORS[row["unit"]]) * 100
        margin = Decimal(5).scaleb(-decimals_of(text) - 1) + Decimal("0.00001")
        if abs(rate - printed_rate) > margin:
            about = dict(section=SECTION, year=int(r["year"]), region=r["region"], subject=r["agency"], kind="rate")
            message = f"所列预算执行率{text}%与 execution.csv 12月的累计支出÷全年预算数（{rate:.2f}%）不一致"
            out.append(warn(file, [r["line"]], message, "实际值", **about))
    return out
