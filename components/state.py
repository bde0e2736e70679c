"""ViewState: one typed, hashable view of a page, read from and written to the URL here only.

`?year=2023&region=…&unit=亿元&category=a&category=b` ⇄ ViewState("transfers", 2023, …). The page's
filters, its callbacks, the deck, the exports and the cache of views all use the same value.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from components.filters import latest_up_to
from components.pages import BY_KEY
from components.theme import UNITS


def parse_query(search: str | None) -> dict[str, list[str]]:
    """`?year=2023&category=a&category=b` → {"year": ["2023"], "category": ["a", "b"]}."""
    return parse_qs((search or "").lstrip("?"), keep_blank_values=False)


@dataclass(frozen=True)
class ViewState:
    page: str
    year: int | None = None
    region: str | None = None
    unit: str | None = None  # the display unit chosen; None: the unit the rows were printed in
    picks: tuple[tuple[str, tuple[str, ...]], ...] = ()  # the page's own filters, in its order

    @classmethod
    def of(cls, page: str, year=None, region=None, unit=None, **picks: Sequence[str] | None) -> ViewState:
        """From a page's filter values as Dash hands them over (a multi-select may be None or a list)."""
        params = BY_KEY[page].params
        return cls(
            page,
            year,
            region or None,
            unit if unit in UNITS else None,
            tuple((name, tuple(picks.get(name) or ())) for name in params),
        )

    def get(self, name: str) -> tuple[str, ...]:
        return dict(self.picks).get(name, ())

    def filter_values(self) -> tuple:
        """Every value the view filters on: the view cache keeps only views of values the data holds."""
        return (self.year, self.region, self.unit, *(v for _name, values in self.picks for v in values))

    def shown_unit(self, printed: str) -> str:
        return self.unit or printed

    def with_(self, **changes) -> ViewState:
        return replace(self, **changes)

    def query(self, printed_unit: str | None = None) -> str:
        """The URL query of the view; empty filters and a unit equal to the printed one are left out."""
        pairs: list[tuple[str, str]] = []
        if self.year is not None:
            pairs.append(("year", str(self.year)))
        if self.region:
            pairs.append(("region", self.region))
        if self.unit and self.unit != printed_unit:
            pairs.append(("unit", self.unit))
        for name, values in self.picks:
            pairs.extend((name, v) for v in values)
        return urlencode(pairs)


def from_url(
    search: str | Mapping[str, list[str]] | None,
    page: str,
    years: Sequence[int],
    regions: Sequence[str],
    options: Mapping[str, Iterable[str]] | None = None,
    regions_in: Callable[[int | None], Collection[str]] | None = None,
) -> tuple[ViewState, tuple[str, ...]]:
    """The view a URL asks for, checked against what the data has; what it lacks falls back, with
    a notice for each (the year by the page's year rule, see pages.Page). `regions_in(year)`: the
    regions with rows that year, so that a page opened bare shows one that has some."""
    query = parse_query(search) if search is None or isinstance(search, str) else search
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
        shown = set(regions_in(year)) if regions_in else set(regions)
        fallback = next((r for r in regions if r in shown), regions[0] if regions else None)
        if region is not None and regions:
            notices.append(f"数据中没有地区「{region}」，显示{fallback}")
        region = fallback
    picks = {}
    for name in BY_KEY[page].params:
        allowed = set((options or {}).get(name, ()))
        picks[name] = [v for v in query.get(name, []) if v in allowed]
        dropped = [v for v in query.get(name, []) if v not in allowed]
        if dropped:
            notices.append(f"数据中没有「{'、'.join(dropped)}」，该筛选已忽略")
    unit = (query.get("unit") or [None])[0]
    if unit is not None and unit not in UNITS:
        notices.append(f"地址中的单位「{unit}」无法识别，可选{'、'.join(UNITS)}")
    return ViewState.of(page, year, region, unit, **picks), tuple(notices)
