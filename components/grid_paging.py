"""Server-side paging for AG Grid's infinite row model: the browser gets one page of rows.

A province's region-year can list thousands of evaluations; sending them all would make
every filter change slow on a tablet. The grid asks for rows startRow..endRow with its
sort and column filters (getRowsRequest); these pure functions answer from a frame,
sorting and filtering as AG Grid's own client-side model would.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

MAX_PAGE = 200  # rows in one answer, whatever the request asks for


def _text_test(kind: str, wanted: str) -> Callable[[pd.Series], pd.Series]:
    """AG Grid's text filter: case-insensitive, on the raw value."""
    wanted = (wanted or "").lower()
    tests = {
        "contains": lambda s: s.str.contains(wanted, regex=False),
        "notContains": lambda s: ~s.str.contains(wanted, regex=False),
        "equals": lambda s: s == wanted,
        "notEqual": lambda s: s != wanted,
        "startsWith": lambda s: s.str.startswith(wanted),
        "endsWith": lambda s: s.str.endswith(wanted),
    }
    return tests.get(kind, lambda s: pd.Series(True, index=s.index))


def _condition(column: pd.Series, model: dict) -> pd.Series:
    """Rows passing one filter condition of AG Grid's filterModel (text or number)."""
    kind = model.get("type")
    if model.get("filterType") == "number":
        blank = column.isna()
        if kind == "blank":
            return blank
        if kind == "notBlank":
            return ~blank
        low, high = model.get("filter"), model.get("filterTo")
        if low is None:
            return pd.Series(True, index=column.index)
        tests = {
            "equals": lambda: column == low,
            "notEqual": lambda: column != low,
            "lessThan": lambda: column < low,
            "lessThanOrEqual": lambda: column <= low,
            "greaterThan": lambda: column > low,
            "greaterThanOrEqual": lambda: column >= low,
            "inRange": lambda: (column >= low) & (column <= (high if high is not None else low)),
        }
        return tests.get(kind, lambda: pd.Series(True, index=column.index))().fillna(False).astype(bool)
    text = column.fillna("").astype(str)
    if kind == "blank":
        return text == ""
    if kind == "notBlank":
        return text != ""
    return _text_test(kind, str(model.get("filter") or ""))(text.str.lower()).astype(bool)


def filter_rows(frame: pd.DataFrame, filter_model: dict | None) -> pd.DataFrame:
    """The rows that pass every column's filter (a column's two conditions joined by AND/OR)."""
    mask = pd.Series(True, index=frame.index)
    for column, model in (filter_model or {}).items():
        if column not in frame:
            continue
        if "conditions" in model:
            parts = [
                _condition(frame[column], {"filterType": model.get("filterType"), **c}) for c in model["conditions"]
            ]
            joined = parts[0]
            for part in parts[1:]:
                joined = (joined | part) if model.get("operator") == "OR" else (joined & part)
            mask &= joined
        else:
            mask &= _condition(frame[column], model)
    return frame[mask]


def sort_rows(frame: pd.DataFrame, sort_model: list | None) -> pd.DataFrame:
    """Sorted as AG Grid sorts: empty values first when ascending, last when descending."""
    for key in reversed(sort_model or []):  # stable sorts, least significant first
        column, ascending = key.get("colId"), key.get("sort") != "desc"
        if column in frame:
            frame = frame.sort_values(
                column, ascending=ascending, kind="stable", na_position="first" if ascending else "last"
            )
    return frame


def page(frame: pd.DataFrame, request: dict | None, to_rows: Callable[[pd.DataFrame], list[dict]]) -> dict:
    """getRowsResponse for a getRowsRequest: the requested rows and how many pass the filters."""
    request = request or {}
    rows = sort_rows(filter_rows(frame, request.get("filterModel")), request.get("sortModel"))
    start = max(int(request.get("startRow") or 0), 0)
    end = min(max(int(request.get("endRow") or start + 20), start), start + MAX_PAGE)
    return {"rowData": to_rows(rows.iloc[start:end]), "rowCount": len(rows)}
