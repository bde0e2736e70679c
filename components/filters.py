"""Pure filter functions and the URL query that holds a page's filter state."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

import pandas as pd

from components.theme import UNITS

# The URL parameters of each page beyond year and region; each may repeat.
PAGE_PARAMS: dict[str, tuple[str, ...]] = {
    "overview": (),
    "transfers": ("category",),
    "debt": ("debt_type",),
    "performance": ("method", "target_type", "grade"),
}


def parse_query(search: str | None) -> dict[str, list[str]]:
    """`?year=2023&category=a&category=b` → {"year": ["2023"], "category": ["a", "b"]}."""
    return parse_qs((search or "").lstrip("?"), keep_blank_values=False)


def build_query(
    year: int | None, region: str | None, filters: dict[str, Sequence[str]], unit: str | None = None
) -> str:
    """The query string of a view; empty filters and the page's own default unit are left out."""
    pairs: list[tuple[str, str]] = []
    if year is not None:
        pairs.append(("year", str(year)))
    if region:
        pairs.append(("region", region))
    if unit:
        pairs.append(("unit", unit))
    for name, values in filters.items():
        pairs.extend((name, v) for v in values or ())
    return urlencode(pairs)


def years_of(*frames: pd.DataFrame) -> list[int]:
    """Years with rows in any of the frames, newest first."""
    years: set[int] = set()
    for frame in frames:
        years.update(int(y) for y in frame["year"].unique())
    return sorted(years, reverse=True)


def regions_of(*frames: pd.DataFrame) -> list[str]:
    """Regions in the order they first appear in the files."""
    seen: dict[str, None] = {}
    for frame in frames:
        seen.update(dict.fromkeys(frame["region"].unique()))  # unique() keeps first-seen order
    return list(seen)


def latest_up_to(years: Iterable[int], year: int | None) -> int | None:
    """The newest year not after `year` (or the newest overall when none is)."""
    years = sorted(years)
    if not years:
        return None
    if year is None:
        return years[-1]
    earlier = [y for y in years if y <= year]
    return earlier[-1] if earlier else years[-1]


@dataclass(frozen=True)
class Resolved:
    """A page's filter state after checking the URL against the data."""

    year: int | None
    region: str | None
    filters: dict[str, list[str]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    unit: str | None = None  # the display unit named in the URL; None: each section's own


def resolve(
    query: dict[str, list[str]], years: list[int], regions: list[str], page: str, options: dict[str, list[str]]
) -> Resolved:
    """Year, region and page filters from the URL; what the data lacks falls back, with a notice."""
    notices = []
    year = None
    wanted = (query.get("year") or [None])[0]
    if wanted is not None:
        try:
            year = int(str(wanted).removesuffix("年"))
        except ValueError:
            notices.append(f"地址中的年度「{wanted}」无法识别")
    if years and year not in years:
        fallback = latest_up_to(years, year)
        if year is not None:
            notices.append(f"所选的{year}年没有本页数据，显示{fallback}年")
        year = fallback
    elif not years:
        year = None
    region = (query.get("region") or [None])[0]
    if region not in regions:
        if region is not None and regions:
            notices.append(f"数据中没有地区「{region}」，显示{regions[0]}")
        region = regions[0] if regions else None
    filters = {}
    for name in PAGE_PARAMS[page]:
        allowed = options.get(name, [])
        chosen = [v for v in query.get(name, []) if v in allowed]
        dropped = [v for v in query.get(name, []) if v not in allowed]
        if dropped:
            notices.append(f"数据中没有「{'、'.join(dropped)}」，该筛选已忽略")
        filters[name] = chosen
    unit = (query.get("unit") or [None])[0]
    if unit is not None and unit not in UNITS:
        notices.append(f"地址中的单位「{unit}」无法识别，可选{'、'.join(UNITS)}")
        unit = None
    return Resolved(year, region, filters, tuple(notices), unit)


def select(frame: pd.DataFrame, year: int | None = None, region: str | None = None) -> pd.DataFrame:
    """Rows of one year and one region (either may be None for all)."""
    mask = pd.Series(True, index=frame.index)
    if year is not None:
        mask &= frame["year"] == year
    if region is not None:
        mask &= frame["region"] == region
    return frame[mask]


def keep(frame: pd.DataFrame, column: str, values: Sequence[str] | None) -> pd.DataFrame:
    """Rows whose `column` is one of `values`; no values selected means every row."""
    if not values:
        return frame
    return frame[frame[column].isin(list(values))]


def sum_stated(values: pd.Series) -> float:
    """The sum of parts, or NaN when any part is not stated (a partial sum is not a total)."""
    return float(values.sum()) if len(values) and values.notna().all() else math.nan


def toggle(selected: Sequence[str] | None, clicked: str | None) -> list[str]:
    """Cross-filter click: select only the clicked value, or clear it when it was the selection."""
    if not clicked:
        return list(selected or [])
    return [] if list(selected or []) == [clicked] else [clicked]


def options(values: Iterable[str]) -> list[dict[str, str]]:
    return [{"label": v, "value": v} for v in values]
