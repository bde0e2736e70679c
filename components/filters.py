"""Pure filter functions over the frames (the URL's view state is components/state.py)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd


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


def options(values: Iterable[str]) -> list[dict[str, str]]:
    return [{"label": v, "value": v} for v in values]
