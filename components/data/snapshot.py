"""One consistent, read-only snapshot of a data folder."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from plotly.io.json import to_json_plotly

from components.data.schema import Problem, Schema
from components.theme import UNITS

VIEW_CACHE_SIZE = 256  # views remembered per snapshot and process (VIEW_CACHE_SIZE=0: none)
VIEW_CACHE_BYTES = 64 * 2**20  # and at most this much of their JSON (VIEW_CACHE_BYTES)
VOCABULARY_COLUMNS = ("region", "category", "debt_type", "method", "target_type", "grade")

# ---------------------------------------------------------------- folder


@dataclass(frozen=True)
class FileState:
    """What happened to one file of the folder."""

    schema: Schema
    status: str  # loaded | missing | rejected | stale (new version rejected, old one kept)
    encoding: str | None = None
    rows: int = 0
    modified: datetime | None = None
    notice: str = ""  # a newer version is held back (it looks cut short), and why
    title: str = ""  # the table's title lines above the header (「株洲经开区2023年转移支付预算表」)
    file: str = ""  # the file's name as given, where it is not the contract's (transfers.xlsx)


@dataclass(frozen=True)
class Dataset:
    """One consistent snapshot of a data folder. Shared between viewers: read-only."""

    folder: Path | None  # None: files given as bytes (the 数据检查 page)
    frames: Mapping[str, pd.DataFrame]
    files: Mapping[str, FileState]
    problems: tuple[Problem, ...] = ()
    version: str = ""  # changes whenever a file in service changes; the same in every worker
    names: Mapping[str, str] = field(default_factory=dict)  # file name shown, where not the contract's
    view_cache_size: int = 0
    view_cache_bytes: int = VIEW_CACHE_BYTES
    # Each served file's Parquet entry on disk, (path, size, mtime_ns), where it holds exactly the
    # rows served: components/data/query.py reads it with DuckDB. None for files given as bytes.
    entries: Mapping[str, tuple[str, int, int]] = field(default_factory=dict)
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _views: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False, compare=False)
    _views_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def frame(self, name: str) -> pd.DataFrame:
        """The file's rows (an empty frame with the right columns when it is absent).

        A shallow copy: under pandas copy-on-write, changing it never reaches the
        shared snapshot.
        """
        return self.frames[name].copy(deep=False)

    def derived(self, key, build: Callable[[Dataset], object]):
        """`build(self)`, computed once per snapshot on first use and shared by every viewer,
        like the frames themselves. Two threads may build it at once; both get the first stored."""
        try:
            return self._derived[key]
        except KeyError:
            return self._derived.setdefault(key, build(self))

    def cached(self, view: Callable, *args):
        """`view(self, *args)`, remembered for this snapshot.

        A page's view is a pure function of the data and its filters, and many viewers ask
        for the same few (their district, this year): building its figures costs 50–100 ms,
        handing out a remembered one about 3 ms. Read-only, like the frames. Only views of
        values the data holds are remembered (a request for a region nobody has is answered,
        never kept); the least recently used go beyond `view_cache_size` entries or
        `view_cache_bytes` of JSON, and a new snapshot starts empty.
        """
        if self.view_cache_size <= 0 or not self.knows(args):
            return view(self, *args)
        key = (view.__module__, view.__qualname__, _hashable(args))
        with self._views_lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key][0]
        value = view(self, *args)
        size = len(to_json_plotly(value))  # what Dash will send; ~1 ms next to the view's 50–800
        if size > self.view_cache_bytes // 8:
            return value  # one view must not push out all the others
        with self._views_lock:
            self._views[key] = (value, size)
            total = sum(entry[1] for entry in self._views.values())  # at most view_cache_size entries
            while len(self._views) > self.view_cache_size or total > self.view_cache_bytes:
                total -= self._views.popitem(last=False)[1][1]
        return value

    def knows(self, args) -> bool:
        """Whether every filter value is one the data holds (a year, a region, a category …)."""
        vocabulary = self.derived("vocabulary", _vocabulary)
        try:
            for value in args:
                if hasattr(value, "filter_values"):  # a ViewState (components/state.py)
                    value = value.filter_values()
                values = value if isinstance(value, list | tuple) else (value,)
                if any(v not in vocabulary for v in values if v is not None and v != ""):
                    return False
        except TypeError:  # an unhashable value is no filter value either
            return False
        return True

    def rows(self, name: str, year: int | None = None, region: str | None = None) -> pd.DataFrame:
        """What filters.select(frame(name), year, region) gives, without scanning the whole file:
        a province's evaluations.csv has millions of rows, a view needs one region's year."""
        if year is None and region is None or "year" not in self.frames[name]:
            return self.frame(name)  # sources.csv: its rows belong to no year or region
        wanted = {"year": year, "region": region}
        by = tuple(column for column, value in wanted.items() if value is not None)
        key = tuple(wanted[column] for column in by)
        positions = self.derived(("positions", name, by), _positions(name, list(by))).get(key, _NO_ROWS)
        if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
            return self.frames[name].iloc[positions[0] : positions[-1] + 1]  # a run of rows: no copy
        return self.frames[name].take(positions)

    def keys(self, name: str) -> pd.DataFrame:
        """The file's (year, region) pairs in first-seen order: years_of and regions_of read the
        same from it as from the whole file."""
        return self.derived(("keys", name), _keys(name))

    @property
    def titles(self) -> dict[str, str]:
        """Each file's title lines as printed above its header, where it has any."""
        return {name: state.title for name, state in self.files.items() if state.title}

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


_NO_ROWS = np.array([], dtype="int64")


def _vocabulary(dataset: Dataset) -> frozenset:
    """Every value a page's filters can hold: years (as numbers and text), regions, categories,
    debt types, methods, object types, grades, and the display units."""
    values: set = set(UNITS)
    for frame in dataset.frames.values():
        for column in VOCABULARY_COLUMNS:
            if column in frame:
                values.update(frame[column].unique().tolist())
        if "year" not in frame:
            continue  # sources.csv
        years = frame["year"].unique().tolist()
        values.update(int(y) for y in years)
        values.update(str(y) for y in years)
    return frozenset(values)


def _hashable(value):
    """Filter values as a cache key: a multiple choice arrives as a list."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value


def _positions(name: str, by: list[str]) -> Callable[[Dataset], dict]:
    def build(dataset: Dataset) -> dict:
        frame = dataset.frames[name]
        if frame.empty:
            return {}
        groups = frame.groupby(by, sort=False).indices  # keys are tuples, even of one column
        return {key if isinstance(key, tuple) else (key,): positions for key, positions in groups.items()}

    return build


def _keys(name: str) -> Callable[[Dataset], pd.DataFrame]:
    def build(dataset: Dataset) -> pd.DataFrame:
        frame = dataset.frames[name]
        if "year" not in frame:  # sources.csv: no year or region of its own
            return pd.DataFrame({"year": pd.Series([], dtype="int64"), "region": pd.Series([], dtype=str)})
        return frame[["year", "region"]].drop_duplicates().reset_index(drop=True)

    return build


