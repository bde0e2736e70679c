"""Sentences an official would say about each chart, written from the data in the budget report's style.

「2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。」
Amounts are written as the report writes them (no thousands separators, no space before the unit).
A figure that is not stated is said to be unpublished, never zero. Pure functions: the page modules
compute the figures, these turn them into text for captions, aria descriptions, slides and exports.
"""

from __future__ import annotations

import pandas as pd

from components.theme import MISSING, UNIT_DECIMALS, in_unit, is_missing


def say_number(value: float, decimals: int = 2, fixed: bool = False) -> str:
    text = f"{value:.{decimals}f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0.00", "-0.00") else text


def say_amount(value_wan: float | None, unit: str) -> str:
    """1722万元, 4.50亿元, 0亿元 (as the report prints them), or 未公布."""
    if is_missing(value_wan):
        return MISSING
    # 亿元 keep two decimals as the report prints balances (4.50亿元).
    return say_number(in_unit(value_wan, unit), UNIT_DECIMALS[unit], fixed=unit == "亿元") + unit


def say_pct(value: float | None) -> str:
    return MISSING if is_missing(value) else say_number(value) + "%"


def say_change(change: float | None, unit: str) -> str:
    """比上年执行数「减少10674万元」/「增加…」/「持平」."""
    if is_missing(change):
        return f"增减{MISSING}"
    if change == 0:
        return "持平"
    return ("增加" if change > 0 else "减少") + say_amount(abs(change), unit)


def with_reason(sentence: str, note: str | None) -> str:
    """The stated reason follows the figures, as in the report: 「……减少59.15%，主要是……。」"""
    note = (note or "").strip().rstrip("。；;，, ")
    return f"{sentence}，{note}。" if note else f"{sentence}。"


# ---------------------------------------------------------------- 政府债务


def parts_text(types: pd.DataFrame, column: str, unit: str, suffix: str = "") -> str:
    """「其中一般债务余额4.50亿元，专项债务余额56.21亿元」; empty for a single type."""
    if len(types) < 2:
        return ""
    return "，其中" + "，".join(
        f"{row.debt_type}{suffix}{say_amount(row[column], unit)}" for _, row in types.iterrows()
    )


def debt_balance(year, region, types: pd.DataFrame, balance: float, unit: str) -> str:
    return f"截至{year}年底，{region}地方政府债务余额{say_amount(balance, unit)}{parts_text(types, 'balance', unit, '余额')}。"


def debt_limit(region, limit: float, balance: float, notes: list[str], unit: str) -> str:
    if is_missing(limit):
        reason = "；".join(n.rstrip("。") for n in notes)
        return f"{region}无单列的政府债务限额" + (f"：{reason}。" if reason else "，不计算限额使用率。")
    used = "" if is_missing(balance) or not limit else f"，余额为限额的{say_pct(balance / limit * 100)}"
    return f"{region}政府债务限额{say_amount(limit, unit)}{used}。"


def debt_bonds(year, types: pd.DataFrame, new_bonds: float, term: float, rate: float, unit: str) -> str:
    sentence = f"{year}年新增债券{say_amount(new_bonds, unit)}{parts_text(types, 'new_bonds', unit)}"
    if not is_missing(term):
        sentence += f"，平均期限{say_number(term)}年"
    if not is_missing(rate):
        sentence += f"，平均利率{say_number(rate, 2, fixed=True)}%"
    return sentence + "。"


def debt_service(year, types: pd.DataFrame, principal: float, interest: float, unit: str) -> str:
    return (
        f"{year}年偿还债券本金{say_amount(principal, unit)}{parts_text(types, 'principal_repaid', unit)}；"
        f"支付债券利息{say_amount(interest, unit)}{parts_text(types, 'interest_paid', unit, '利息')}。"
    )


# ---------------------------------------------------------------- 绩效管理


def indicators_sentence(rows: pd.DataFrame, unit: str) -> str:
    """「开展绩效自评的预算单位数37家，绩效自评覆盖率100%，……。」 Money indicators in the display unit."""
    parts = []
    for row in rows.itertuples():
        if is_missing(row.value):
            parts.append(f"{row.indicator}{MISSING}")
        elif row.unit == "万元":
            parts.append(f"{row.indicator}{say_amount(row.value, unit)}")
        else:
            parts.append(f"{row.indicator}{say_number(row.value)}{row.unit}")
    return "，".join(parts) + "。" if parts else ""
